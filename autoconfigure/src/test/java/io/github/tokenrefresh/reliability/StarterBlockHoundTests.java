package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.BlockHoundChecks;
import io.github.tokenrefresh.test.InBlockHoundJvm;
import io.github.tokenrefresh.test.MutableClock;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No blocking call on a non-blocking thread anywhere in the starter: a Spring Boot application with an OAuth 2.0
 * client and a login client, driven from Reactor's parallel threads through the first fetch, the cached path,
 * refresh ahead, a 401 retried with a body and a rejection, with the in-memory store; {@link RedisBlockHoundTests}
 * runs the same paths with the Redis store. Runs in its own JVM (see the surefire configuration);
 * {@link RecordingBlockHoundIntegration} records what BlockHound detects even where an event loop swallows the
 * error.
 */
@InBlockHoundJvm
class StarterBlockHoundTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static FaultyAuthServer server;

	private static ConfigurableApplicationContext context;

	private static final MutableClock clock = new MutableClock(Instant.now());

	@BeforeAll
	static void start() {
		// Allowances live in RecordingBlockHoundIntegration: only the first install in a JVM counts.
		BlockHound.install();
		server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
		context = Applications.start(server.clientProperties(), (applicationContext) -> applicationContext
			.getBeanFactory()
			.registerSingleton("tokenRefreshClock", clock), "token-refresh.clients.orders.refresh-ahead=120s", "token-refresh.clients.billing.refresh-ahead=120s",
				"token-refresh.clients.billing.rejection-cooldown=0s");
	}

	@AfterAll
	static void stop() {
		context.close();
		server.close();
	}

	@BeforeEach
	void forgetDetections() {
		RecordingBlockHoundIntegration.clear();
	}

	@Test
	void blockHoundDetectsABlockingCallOnAParallelThread() {
		BlockHoundChecks.assertBlockingCallFailsOnAParallelThread(TIMEOUT);
		assertThat(RecordingBlockHoundIntegration.detected()).singleElement().asString().contains("wait");
	}

	@Test
	void theStarterNeverBlocksANonBlockingThread() {
		// First fetch and single-flight on event loops; then the cached path.
		assertThat(getAll(200)).allMatch("ok"::equals);
		assertThat(getAll(200)).allMatch("ok"::equals);
		assertThat(server.tokenCalls("orders")).isOne();
		assertThat(server.tokenCalls("billing")).isOne();
		// Refresh ahead: the current token is served while a background refresh replaces it.
		clock.advance(Duration.ofMinutes(3).plusSeconds(30));
		assertThat(getAll(20)).allMatch("ok"::equals);
		await().atMost(TIMEOUT).until(() -> server.tokenCalls("orders") == 2 && server.tokenCalls("billing") == 2);
		// A 401 to a POST: the body is released, the token refreshed once and the request sent again with its body.
		server.revoke(server.currentToken("orders"));
		assertThat(onParallel(webClient("orders").post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"item\":\"book\"}")
			.retrieve()
			.bodyToMono(String.class))).isEqualTo("ok");
		assertThat(server.resourceBodies()).containsExactly("{\"item\":\"book\"}", "{\"item\":\"book\"}");
		// A rejection by the token endpoint.
		server.rejecting(true);
		context.getBean("billingTokenManager", TokenManager.class).evict().block(TIMEOUT);
		StepVerifier.create(get("billing").subscribeOn(Schedulers.parallel()))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenAcquisitionException.class)
				.satisfies((rejection) -> assertThat(((TokenAcquisitionException) rejection).isRejected()).isTrue()))
			.verify(TIMEOUT);
		server.rejecting(false);
		assertThat(RecordingBlockHoundIntegration.detected()).isEmpty();
	}

	private static List<String> getAll(int count) {
		return Flux.range(0, count)
			.flatMap((i) -> get((i % 2 == 0) ? "orders" : "billing").subscribeOn(Schedulers.parallel()), count)
			.collectList()
			.block(TIMEOUT);
	}

	private static String onParallel(Mono<String> request) {
		return request.subscribeOn(Schedulers.parallel()).block(TIMEOUT);
	}

	private static Mono<String> get(String client) {
		return webClient(client).get().uri("/items").retrieve().bodyToMono(String.class);
	}

	private static WebClient webClient(String client) {
		return context.getBean(client, WebClient.class);
	}

}
