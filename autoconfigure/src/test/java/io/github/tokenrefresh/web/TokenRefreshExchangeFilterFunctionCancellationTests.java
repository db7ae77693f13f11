package io.github.tokenrefresh.web;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 401 the filter does not return to the caller has its body read and released even when the caller cancelled
 * first. Spring's connector can emit a response into an exchange whose caller has just cancelled; the filter's own
 * handling is then cancelled before it subscribes to anything, and a body nobody subscribes to stays queued in
 * Reactor Netty for ever.
 */
class TokenRefreshExchangeFilterFunctionCancellationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final String URL = "http://resource.test/api/orders";

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final InMemoryTokenStore store = new InMemoryTokenStore();

	private final TokenManager manager = TokenManager.builder("billing", this.source)
		.store(this.store)
		.clock(this.clock)
		.build();

	private final AtomicInteger bodySubscriptions = new AtomicInteger();

	private final AtomicInteger bodiesRead = new AtomicInteger();

	// Ignores the cancellation, as a connector that emits the response it was already delivering does.
	private final TestPublisher<ClientResponse> exchange = TestPublisher
		.createNoncompliant(TestPublisher.Violation.DEFER_CANCELLATION);

	private final AtomicInteger exchanges = new AtomicInteger();

	// 1: the 401 is to be retried with a new token; 0: it is to be returned to the caller after an invalidation.
	@ParameterizedTest(name = "retry-on-unauthorized={0}")
	@ValueSource(ints = { 1, 0 })
	void unauthorizedNotReturnedIsReleasedWhenTheCallerCancelledBeforeItArrived(int retryOnUnauthorized) {
		TokenRefreshExchangeFilterFunction filter = filter(TokenClient.builder(this.manager)
			.baseUrl("http://resource.test/api")
			.retryOnUnauthorized(retryOnUnauthorized));
		Disposable caller = filter.filter(request(), this::exchange).subscribe();
		this.exchange.assertSubscribers(1);
		caller.dispose();
		this.exchange.next(unauthorized());
		assertThat(this.bodySubscriptions).hasValue(1);
		assertThat(this.bodiesRead).hasValue(1);
		// Nobody waits for the answer: the request is not sent again.
		assertThat(this.exchanges).hasValue(1);
	}

	@Test
	void unauthorizedReturnedToTheCallerIsTheCallersToRead() {
		TokenRefreshExchangeFilterFunction filter = filter(TokenClient.builder(this.manager)
			.baseUrl("http://resource.test/api")
			.retryOnUnauthorized(0));
		StepVerifier.create(filter.filter(request(), this::exchange)
			.flatMap((response) -> response.bodyToMono(String.class)))
			.then(() -> this.exchange.next(unauthorized()))
			.expectNext("{\"error\":\"invalid_token\"}")
			.verifyComplete();
		assertThat(this.bodySubscriptions).hasValue(1);
		// The refused token is gone from the store: the next request gets a new one.
		assertThat(this.store.get(this.manager.getKey()).map(Token::getAccessToken).blockOptional(TIMEOUT))
			.isEmpty();
	}

	private Mono<ClientResponse> exchange(ClientRequest request) {
		this.exchanges.incrementAndGet();
		return this.exchange.mono();
	}

	private static TokenRefreshExchangeFilterFunction filter(TokenClient.Builder client) {
		return new TokenRefreshExchangeFilterFunction(List.of(client.build()));
	}

	private static ClientRequest request() {
		return ClientRequest.create(HttpMethod.GET, URI.create(URL)).build();
	}

	private ClientResponse unauthorized() {
		Flux<DataBuffer> body = Flux
			.defer(() -> Flux.<DataBuffer>just(DefaultDataBufferFactory.sharedInstance
				.wrap("{\"error\":\"invalid_token\"}".getBytes(StandardCharsets.UTF_8))))
			.doOnSubscribe((subscription) -> this.bodySubscriptions.incrementAndGet())
			.doOnComplete(this.bodiesRead::incrementAndGet);
		return ClientResponse.create(HttpStatus.UNAUTHORIZED)
			.header("Content-Type", "application/json")
			.body(body)
			.build();
	}

}
