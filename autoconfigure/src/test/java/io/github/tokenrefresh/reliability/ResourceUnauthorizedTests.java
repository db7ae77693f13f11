package io.github.tokenrefresh.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import io.github.tokenrefresh.core.TokenManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a Spring Boot application sees when a resource server answers 401: a request is sent again once with a new
 * token whatever the {@code WWW-Authenticate} header says (absent, malformed, another scheme), except a streamed
 * body, which cannot be sent twice: the caller gets the original 401 and the next request a new token.
 */
class ResourceUnauthorizedTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(15);

	private static FaultyAuthServer server;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void start() {
		server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
		// Each test revokes the token a 401 just replaced: without the interval that bounds such replacements.
		context = Applications.start(server.clientProperties(),
				"token-refresh.clients.orders.unauthorized-refresh-interval=0s");
	}

	@AfterAll
	static void stop() {
		context.close();
		server.close();
	}

	@BeforeEach
	void holdAToken() {
		StepVerifier.create(get()).expectNext("ok").expectComplete().verify(TIMEOUT);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "Bearer", "Bearer error=", "Bearer error=\"invalid_token", ",,, = ;;",
			"Basic realm=\"orders\"" })
	void unauthorizedWithAnyOrNoChallengeIsSentAgainOnceWithANewToken(String challenge) {
		server.challenge(challenge);
		int calls = server.tokenCalls("orders");
		int requests = server.resourceRequests();
		server.revoke(server.currentToken("orders"));
		StepVerifier.create(get()).expectNext("ok").expectComplete().verify(TIMEOUT);
		assertThat(server.tokenCalls("orders")).isEqualTo(calls + 1);
		assertThat(server.resourceRequests()).isEqualTo(requests + 2);
	}

	@Test
	void streamedBodyIsNeverSentTwiceAndTheCallerGetsTheOriginalUnauthorized() {
		server.challenge("Bearer error=\"invalid_token\"");
		int calls = server.tokenCalls("orders");
		int bodies = server.resourceBodies().size();
		String revoked = server.currentToken("orders");
		server.revoke(revoked);
		// A body written with writeAndFlushWith, chunk by chunk as it is produced: nothing keeps it for a second send.
		BodyInserter<Object, ClientHttpRequest> streamed = (request, insertContext) -> request
			.writeAndFlushWith(Flux.range(0, 3)
				.map((i) -> Mono.just(request.bufferFactory()
					.wrap(("data:event-" + i + "\n\n").getBytes(StandardCharsets.UTF_8)))));
		StepVerifier.create(webClient().post()
			.uri("/events")
			.contentType(MediaType.TEXT_EVENT_STREAM)
			.body(streamed)
			.retrieve()
			.bodyToMono(String.class))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(WebClientResponseException.Unauthorized.class))
			.verify(TIMEOUT);
		assertThat(server.resourceBodies()).hasSize(bodies + 1);
		assertThat(server.resourceBodies().get(bodies)).contains("event-0", "event-1", "event-2");
		assertThat(server.tokenCalls("orders")).isEqualTo(calls);
		// The refused token was evicted: the next request obtains a new one and succeeds.
		TokenManager manager = context.getBean("ordersTokenManager", TokenManager.class);
		assertThat(manager.getStoredToken().blockOptional(TIMEOUT)).isEmpty();
		StepVerifier.create(get()).expectNext("ok").expectComplete().verify(TIMEOUT);
		assertThat(server.tokenCalls("orders")).isEqualTo(calls + 1);
	}

	private static Mono<String> get() {
		return webClient().get().uri("/items").retrieve().bodyToMono(String.class);
	}

	private static WebClient webClient() {
		return context.getBean("orders", WebClient.class);
	}

}
