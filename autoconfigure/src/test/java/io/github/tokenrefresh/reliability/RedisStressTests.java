package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.redis.EmbeddedRedis;
import io.github.tokenrefresh.redis.RedisTokenStore;
import io.github.tokenrefresh.reliability.Load.Outcome;
import io.github.tokenrefresh.reliability.Load.Report;
import io.github.tokenrefresh.test.DeliveryRecordingConnector;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of an application ({@code token-refresh.store.type=redis}) sharing one redis-server, under the
 * faults of {@link StressTests}: 2,000 requests with Redis stopped for a second and a half and started again,
 * empty, in the middle, then 2,000 more once both instances share tokens through Redis again; callers cancel one
 * request in ten.
 */
class RedisStressTests {

	private static final Log logger = LogFactory.getLog(RedisStressTests.class);

	private static final Duration LIFETIME = Duration.ofSeconds(2);

	private static final int REQUESTS_PER_PHASE = 2_000;

	private static final int INSTANCES = 2;

	private static final List<String> CLIENTS = List.of("orders", "billing");

	@Test
	void everyRequestEndsInAKnownWayAcrossARedisRestartAndTheStoreIsWrittenAgain() throws Exception {
		int cancelled;
		try (EmbeddedRedis redis = new EmbeddedRedis();
				FaultyAuthServer server = new FaultyAuthServer(LIFETIME, Duration.ofSeconds(60));
				ConfigurableApplicationContext a = instance(server, redis, Applications::recordDeliveries,
						DeliveryRecordingConnector.LEAK_RECORDS_NAME_CONNECTIONS);
				ConfigurableApplicationContext b = instance(server, redis, Applications::recordDeliveries,
						DeliveryRecordingConnector.LEAK_RECORDS_NAME_CONNECTIONS)) {
			server.failures(0.1);
			server.slowness(0.2, Duration.ofMillis(600));
			server.revocations(0.001);
			List<WebClient> clients = new ArrayList<>();
			for (ConfigurableApplicationContext context : List.of(a, b)) {
				for (String client : CLIENTS) {
					clients.add(context.getBean(client, WebClient.class));
				}
			}
			Load load = new Load(clients, List.of("", "", "", "")).concurrency(128).cancelShare(0.1);
			long started = System.nanoTime();
			AtomicLong stoppedAt = new AtomicLong();
			AtomicReference<CompletableFuture<Void>> restarted = new AtomicReference<>();
			Report outage = load.run(REQUESTS_PER_PHASE, (i) -> {
				if (i == REQUESTS_PER_PHASE / 4) {
					stoppedAt.set(System.nanoTime());
					restarted.set(restart(redis).toFuture());
				}
			});
			restarted.get().get();
			List<RedisTokenStore> stores = List.of(a.getBean(RedisTokenStore.class), b.getBean(RedisTokenStore.class));
			// Requests let each store probe Redis and write its tokens back; the restarted Redis holds them again.
			await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
				clients.forEach((client) -> client.get().uri("/probe").retrieve().toBodilessEntity().block());
				assertThat(stores).allMatch((store) -> store.toString().contains("redis=available"));
				for (String client : CLIENTS) {
					assertThat(redis.admin().exists(a.getBean(client + "TokenManager", TokenManager.class).getKey()))
						.isOne();
				}
			});
			int unjustifiedDuringOutage = server.unjustifiedIssuances().size();
			Report recovered = load.run(REQUESTS_PER_PHASE, (i) -> {
			});
			Report total = outage.plus(recovered);
			Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
			List<TokenManager> managers = new ArrayList<>(Applications.managers(a));
			managers.addAll(Applications.managers(b));
			await().atMost(Duration.ofSeconds(15)).until(() -> managers.stream().noneMatch(TokenManager::isRefreshing));
			logger.info("Redis stress: " + total + " in " + elapsed.toMillis() + " ms; orders "
					+ StressTests.calls(server, "orders") + ", billing " + StressTests.calls(server, "billing")
					+ "; unjustified " + server.unjustifiedIssuances());

			total.assertEveryRequestEndedInAKnownWay(2 * REQUESTS_PER_PHASE);
			// While Redis is down each instance refreshes on its own (a revocation or expiry one instance handled
			// is news to the other), and right after the restart Redis is empty until the instances write their
			// tokens back: extra token calls happen then, and only then.
			assertThat(server.unjustifiedIssuancesBefore(stoppedAt.get())).isEmpty();
			assertThat(server.unjustifiedIssuances()).as("token calls beyond one per fleet once Redis is back")
				.hasSize(unjustifiedDuringOutage);
			for (String client : CLIENTS) {
				assertThat(server.tokenCalls(client)).as("%s token-endpoint calls", client)
					.isGreaterThanOrEqualTo(server.issued(client) + server.failedAnswers(client))
					.isLessThanOrEqualTo((1 + server.dueReplacements(client) + server.revoked(client)
							+ unjustifiedDuringOutage) * 4);
			}
			assertThat(managers).hasSize(4).noneMatch(TokenManager::isRefreshing);
			cancelled = total.get(Outcome.CANCELLED);
		}
		StressTests.assertNoLeaks(cancelled);
	}

	private static Mono<Void> restart(EmbeddedRedis redis) {
		return Mono.fromRunnable(redis::stop)
			.then(Mono.delay(Duration.ofMillis(1500)))
			.then(Mono.fromRunnable(redis::restart))
			.subscribeOn(Schedulers.boundedElastic())
			.then();
	}

	static ConfigurableApplicationContext instance(FaultyAuthServer server, EmbeddedRedis redis, String... more) {
		return instance(server, redis, (context) -> {
		}, more);
	}

	static ConfigurableApplicationContext instance(FaultyAuthServer server, EmbeddedRedis redis,
			ApplicationContextInitializer<ConfigurableApplicationContext> initializer, String... more) {
		List<String> properties = new ArrayList<>(server.clientProperties());
		// A command budget that a loaded build machine does not exhaust: a slow answer would count as an outage,
		// after which each instance refreshes on its own. Stopped and paused Redis are tested explicitly.
		properties.addAll(List.of("token-refresh.store.type=redis", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "token-refresh.store.redis.command-timeout=2s"));
		return Applications.start(properties, initializer, more);
	}

}
