package io.github.tokenrefresh.web;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.BlockHoundChecks;
import io.github.tokenrefresh.test.InBlockHoundJvm;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filter's hot paths (cached token, single-flight refresh, refresh ahead, retry after 401 with a body) run on
 * Netty and Reactor threads without a blocking call. Runs in its own JVM (see the surefire configuration).
 */
@InBlockHoundJvm
class TokenRefreshBlockHoundTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final TokenRefreshExchangeFilterFunctionTests.ResourceServer resource = new TokenRefreshExchangeFilterFunctionTests.ResourceServer();

	private MockWebServer server;

	private ConnectionProvider connections;

	private TokenManager manager;

	private WebClient client;

	@BeforeAll
	static void installBlockHound() {
		// Console logging is synchronous I/O by the application's choice, not the starter's.
		BlockHound.install((builder) -> builder.allowBlockingCallsInside("ch.qos.logback.classic.Logger",
				"callAppenders"));
	}

	@BeforeEach
	void start() throws IOException {
		this.server = new MockWebServer();
		this.server.setDispatcher(this.resource);
		this.server.start();
		this.connections = ConnectionProvider.builder("blockhound").maxConnections(64).pendingAcquireMaxCount(-1).build();
		this.manager = TokenManager.builder("billing", this.source)
			.store(new InMemoryTokenStore())
			.clock(this.clock)
			.refreshBeforeExpiry(Duration.ofSeconds(10))
			.refreshAhead(Duration.ofSeconds(60))
			.build();
		TokenClient tokenClient = TokenClient.builder(this.manager).baseUrl(baseUrl()).build();
		this.client = TokenRefreshExchangeFilterFunctionTests.webClient(this.connections, tokenClient);
	}

	@AfterEach
	void stop() {
		this.connections.dispose();
		this.server.close();
	}

	private String baseUrl() {
		return "http://localhost:" + this.server.getPort() + "/api";
	}

	@Test
	void blockHoundIsActive() {
		BlockHoundChecks.assertBlockingCallFailsOnAParallelThread(TIMEOUT);
	}

	@Test
	void hotPathsNeverBlock() {
		this.source.delay(Duration.ofMillis(50));
		this.resource.accept("access-1");
		// Single-flight fetch, then the cached path, all issued from a non-blocking thread.
		List<String> bodies = Flux.range(0, 300)
			.flatMap((i) -> get("/orders/" + i).subscribeOn(Schedulers.parallel()), 300)
			.collectList()
			.block(TIMEOUT);
		assertThat(bodies).hasSize(300).allMatch("ok"::equals);
		// Refresh ahead in the background while the current token is served.
		this.clock.advance(Duration.ofMinutes(10).minusSeconds(30));
		this.resource.accept("access-2");
		StepVerifier.create(get("/orders").subscribeOn(Schedulers.parallel())
			.onErrorResume(WebClientResponseException.class, (ex) -> Mono.just("401")))
			.expectNextCount(1)
			.verifyComplete();
		// A 401 with a JSON body: release, single-flight refresh, replay.
		this.resource.accept("access-9");
		StepVerifier.create(this.client.post().uri(baseUrl() + "/orders").contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"item\":\"book\"}").retrieve().bodyToMono(String.class)
			.subscribeOn(Schedulers.parallel())
			.onErrorResume(WebClientResponseException.class, (ex) -> Mono.just("401")))
			.expectNextCount(1)
			.verifyComplete();
		assertThat(this.source.callCount()).isGreaterThanOrEqualTo(2);
	}

	private Mono<String> get(String path) {
		return this.client.get().uri(baseUrl() + path).retrieve().bodyToMono(String.class);
	}


}
