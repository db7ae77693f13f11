package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Timeout.ThreadMode;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.redis.EmbeddedRedis;
import io.github.tokenrefresh.redis.RedisTokenStore;
import io.github.tokenrefresh.test.InBlockHoundJvm;
import io.github.tokenrefresh.test.MutableClock;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * No blocking call on a non-blocking thread with the Redis store: Spring Boot applications
 * ({@code token-refresh.store.type=redis}) sharing an embedded redis-server, driven from Reactor's parallel threads
 * through the first fetch, the cached path, a second instance using the first one's token, refresh ahead, a 401
 * retried with a body, Redis stopped and started again, empty, under load, a third instance started while Redis
 * is down, and an instance's connection factory stopped and started again. Runs in the JVM of
 * {@link StarterBlockHoundTests}, whose allowances it shares.
 * <p>
 * A blocking call detected inside Lettuce's command queue lock once left the lock held and the JVM spinning: every
 * method here has a time limit, run on a thread of its own, so that such a hang fails the test instead.
 */
@InBlockHoundJvm
@Timeout(value = 3, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
class RedisBlockHoundTests {

	private static String key(ConfigurableApplicationContext context, String client) {
		return context.getBean(client + "TokenManager", TokenManager.class).getKey();
	}

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final MutableClock clock = new MutableClock(Instant.now());

	private static final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	private static EmbeddedRedis redis;

	private static FaultyAuthServer server;

	@BeforeAll
	@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
	static void start() {
		// Allowances live in RecordingBlockHoundIntegration: only the first install in a JVM counts.
		BlockHound.install();
		redis = new EmbeddedRedis();
		server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
	}

	@AfterAll
	@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = ThreadMode.SEPARATE_THREAD)
	static void stop() {
		contexts.forEach(ConfigurableApplicationContext::close);
		server.close();
		redis.close();
	}

	@BeforeEach
	void forgetDetections() {
		RecordingBlockHoundIntegration.clear();
	}

	@Test
	void blockHoundDetectsABlockingCallOnALettuceEventLoop() {
		ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(redis.connectionFactory());
		Object lock = new Object();
		// Lettuce answers on its event loop, where the callable runs.
		StepVerifier.create(template.hasKey("token-refresh:absent").flatMap((exists) -> Mono.fromCallable(() -> {
			synchronized (lock) {
				lock.wait(1);
			}
			return exists;
		}))).expectError(BlockingOperationError.class).verify(TIMEOUT);
		assertThat(RecordingBlockHoundIntegration.detected()).singleElement()
			.asString()
			.contains("wait")
			.contains("EventLoop");
	}

	@Test
	void theRedisStoreNeverBlocksANonBlockingThread() {
		ConfigurableApplicationContext a = instance();
		// First fetch, single-flight across the fleet, with Lua scripts and a lease; then the near cache.
		assertThat(getAll(a, 200)).allMatch("ok"::equals);
		assertThat(getAll(a, 200)).allMatch("ok"::equals);
		assertThat(server.tokenCalls("orders")).isOne();
		assertThat(server.tokenCalls("billing")).isOne();
		assertNoBlockingCall();

		// A second instance reads the first one's tokens from Redis.
		ConfigurableApplicationContext b = instance();
		assertThat(getAll(b, 200)).allMatch("ok"::equals);
		assertThat(server.tokenCalls("orders")).isOne();
		assertThat(server.tokenCalls("billing")).isOne();
		assertNoBlockingCall();

		// Refresh ahead in both instances: one background refresh per client for the fleet.
		clock.advance(Duration.ofMinutes(3).plusSeconds(30));
		assertThat(Flux.merge(getLater(a, 20), getLater(b, 20)).collectList().block(TIMEOUT)).allMatch("ok"::equals);
		await().atMost(TIMEOUT).until(() -> server.tokenCalls("orders") == 2 && server.tokenCalls("billing") == 2);
		assertNoBlockingCall();

		// A 401 to a POST: the body is released, the token evicted for the fleet, refreshed once and the request sent
		// again with its body.
		server.revoke(server.currentToken("orders"));
		assertThat(webClient(b, "orders").post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"item\":\"book\"}")
			.retrieve()
			.bodyToMono(String.class)
			.subscribeOn(Schedulers.parallel())
			.block(TIMEOUT)).isEqualTo("ok");
		assertThat(server.resourceBodies()).containsExactly("{\"item\":\"book\"}", "{\"item\":\"book\"}");
		assertThat(getAll(a, 20)).allMatch("ok"::equals);
		assertNoBlockingCall();

		// Redis stopped under load and started again, empty. Meanwhile refresh ahead finds Redis gone and each
		// instance refreshes on its own, and a third instance starts and connects in the background.
		Mono<Void> outage = Mono.<Void>fromRunnable(() -> {
			redis.stop();
			ConfigurableApplicationContext c = instance();
			clock.advance(Duration.ofMinutes(4));
			assertThat(getAll(c, 20)).allMatch("ok"::equals);
			redis.restart();
		}).subscribeOn(Schedulers.boundedElastic());
		List<String> duringOutage = Flux
			.merge(Flux.range(0, 30).concatMap((i) -> Flux.merge(getLater(a, 10), getLater(b, 10))),
					outage.then(Mono.empty()))
			.collectList()
			.block(Duration.ofMinutes(1));
		assertThat(duringOutage).hasSize(600).allMatch("ok"::equals);
		// Stores probe Redis when a command is due: refresh ahead sends one. Once every store answers again its
		// tokens are written back.
		await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			clock.advance(Duration.ofMinutes(4));
			for (ConfigurableApplicationContext context : contexts) {
				assertThat(getAll(context, 4)).allMatch("ok"::equals);
			}
			for (ConfigurableApplicationContext context : contexts) {
				assertThat(context.getBean(RedisTokenStore.class).toString()).contains("redis=available");
			}
			assertThat(redis.admin().exists(key(a, "orders"), key(a, "billing"))).isEqualTo(2);
		});
		assertNoBlockingCall();

		// An instance's connection factory stopped and started again: its store connects again in the background,
		// and its tokens reach the emptied Redis once more.
		LettuceConnectionFactory factory = a.getBean(LettuceConnectionFactory.class);
		factory.stop();
		factory.start();
		redis.admin().flushall();
		await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			clock.advance(Duration.ofMinutes(4));
			assertThat(getAll(a, 4)).allMatch("ok"::equals);
			assertThat(redis.admin().exists(key(a, "orders"), key(a, "billing"))).isEqualTo(2);
		});
		assertNoBlockingCall();
	}

	private static void assertNoBlockingCall() {
		assertThat(RecordingBlockHoundIntegration.detected()).isEmpty();
	}

	private static ConfigurableApplicationContext instance() {
		ApplicationContextInitializer<ConfigurableApplicationContext> registerClock = (context) -> context
			.getBeanFactory()
			.registerSingleton("tokenRefreshClock", clock);
		ConfigurableApplicationContext context = RedisStressTests.instance(server, redis, registerClock,
				"token-refresh.clients.orders.refresh-ahead=120s", "token-refresh.clients.billing.refresh-ahead=120s");
		contexts.add(context);
		return context;
	}

	private static List<String> getAll(ConfigurableApplicationContext context, int count) {
		return getLater(context, count).collectList().block(TIMEOUT);
	}

	private static Flux<String> getLater(ConfigurableApplicationContext context, int count) {
		return Flux.range(0, count)
			.flatMap((i) -> webClient(context, (i % 2 == 0) ? "orders" : "billing").get()
				.uri("/items")
				.retrieve()
				.bodyToMono(String.class)
				.subscribeOn(Schedulers.parallel()), count);
	}

	private static WebClient webClient(ConfigurableApplicationContext context, String client) {
		return context.getBean(client, WebClient.class);
	}

}
