package io.github.tokenrefresh.web;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A resource server that answers 401 to every request, for a reason no token can fix, while the token endpoint
 * works: the requests get their 401 and the token endpoint is not called once per request.
 */
@ExtendWith(OutputCaptureExtension.class)
class UnauthorizedStormTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final Duration INTERVAL = Duration.ofSeconds(5);

	// Each request the resource server answers moves the clock: 1,000 requests take 10 s of the manager's time.
	private static final Duration PER_REQUEST = Duration.ofMillis(10);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final AtomicInteger answered = new AtomicInteger();

	private final DisposableServer server = HttpServer.create()
		.host("127.0.0.1")
		.port(0)
		.handle((request, response) -> request.receive().then(Mono.defer(() -> {
			this.clock.advance(PER_REQUEST);
			this.answered.incrementAndGet();
			return response.status(401).header("WWW-Authenticate", "Bearer error=\"invalid_token\"").send().then();
		})))
		.bindNow();

	private final ConnectionProvider connections = ConnectionProvider.builder("storm")
		.maxConnections(256)
		.pendingAcquireMaxCount(-1)
		.build();

	private final TokenManager manager = TokenManager.builder("billing", this.source)
		.store(new InMemoryTokenStore())
		.clock(this.clock)
		.unauthorizedRefreshInterval(INTERVAL)
		.build();

	private final WebClient client = TokenRefreshExchangeFilterFunctionTests.webClient(this.connections,
			TokenClient.builder(this.manager).baseUrl("http://127.0.0.1:" + this.server.port() + "/api").build());

	@AfterEach
	void stop() {
		this.connections.dispose();
		this.server.disposeNow(Duration.ofSeconds(5));
	}

	private Mono<Integer> status(int i) {
		return this.client.get()
			.uri("http://127.0.0.1:" + this.server.port() + "/api/orders/" + i)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
	}

	@Test
	void thousandSequentialRequestsCostAtMostOneTokenCallPerInterval(CapturedOutput output) {
		List<Integer> statuses = Flux.range(0, 1000).concatMap(this::status).collectList().block(TIMEOUT);
		assertBounded(statuses, output);
	}

	@Test
	void thousandConcurrentRequestsCostAtMostOneTokenCallPerInterval(CapturedOutput output) {
		List<Integer> statuses = Flux.range(0, 1000).flatMap(this::status, 256).collectList().block(TIMEOUT);
		assertBounded(statuses, output);
	}

	private void assertBounded(List<Integer> statuses, CapturedOutput output) {
		assertThat(statuses).hasSize(1000).containsOnly(401);
		long elapsed = PER_REQUEST.toMillis() * this.answered.get();
		long intervals = elapsed / INTERVAL.toMillis();
		// The first token, the one 401 replacement allowed at once, then one per interval.
		assertThat(this.source.callCount()).isBetween(2, (int) (2 + intervals));
		assertThat(output.getAll().lines().filter((line) -> line.contains("answered 401 again")).count())
			.isBetween(1L, 1 + intervals);
	}

}
