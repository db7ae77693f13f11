package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;

import io.github.tokenrefresh.core.Token;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How {@link RedisTokenStore} obtains its connection: once, never on the thread that sends a command, and in the
 * background while Redis is unreachable.
 */
class RedisTokenStoreConnectionTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static EmbeddedRedis redis;

	private final List<RedisTokenStore> stores = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void destroyStores() {
		this.stores.forEach(RedisTokenStore::destroy);
	}

	@Test
	void obtainsOneConnectionWhenBuiltAndSendsEveryCommandOverIt() {
		RecordingFactory factory = new RecordingFactory(redis.connectionFactory());
		RedisTokenStore store = store(factory);
		// One connection for commands and one for notifications, on the thread that built the store.
		assertThat(factory.callers).containsExactly(Thread.currentThread().getName(),
				Thread.currentThread().getName());
		Token token = token("access-one-connection-012345678");
		assertThat(onParallel(200, (i) -> store.put("token-refresh:one-connection:" + i, token))).hasSize(200);
		assertThat(onParallel(200, (i) -> store.refreshExclusively("token-refresh:one-connection:" + i,
				store.get("token-refresh:one-connection:" + i))))
			.hasSize(200)
			.containsOnly(token);
		assertThat(redis.admin().get("token-refresh:one-connection:7")).contains(TokenCodec.fingerprint(token));
		assertThat(factory.callers).hasSize(2);
	}

	@Test
	void builtWhileRedisIsDownServesItsInMemoryCopyThenReachesRedisOnceItIsUp() {
		RecordingFactory factory = new RecordingFactory(redis.connectionFactory());
		String key = "token-refresh:built-while-down";
		Token token = token("access-built-while-down-0123456");
		RedisTokenStore other = store(redis.connectionFactory());
		assertThat(other.get(key).block(TIMEOUT)).isNull();
		redis.stop();
		RedisTokenStore store;
		try {
			// A command budget far longer than the test waits: without a connection commands fail at once.
			store = RedisTokenStore.builder(factory).commandTimeout(Duration.ofMinutes(1)).build();
			this.stores.add(store);
			StepVerifier.create(store.put(key, token).subscribeOn(Schedulers.parallel()))
				.expectNext(token)
				.expectComplete()
				.verify(Duration.ofSeconds(5));
			StepVerifier.create(store.refreshExclusively(key, store.get(key)).subscribeOn(Schedulers.parallel()))
				.expectNext(token)
				.expectComplete()
				.verify(Duration.ofSeconds(5));
			assertThat(store.toString()).contains("redis=unavailable");
		}
		finally {
			redis.restart();
		}
		// Writes probe Redis once per probe interval; once the store has connected in the background one gets
		// through and the store writes its token back.
		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(store.put(key, token).subscribeOn(Schedulers.parallel()).block(TIMEOUT)).isEqualTo(token);
			assertThat(redis.admin().get(key)).contains(TokenCodec.fingerprint(token));
		});
		assertThat(store.toString()).contains("redis=available");
		assertThat(other.get(key).block(TIMEOUT)).isEqualTo(token);
		// The connection was obtained on the building thread or in the background, never by a command.
		assertThat(factory.callers).isNotEmpty()
			.allMatch((caller) -> caller.equals(Thread.currentThread().getName())
					|| caller.startsWith("boundedElastic-"));
		int calls = factory.callers.size();
		// Notifications reach the store that connected late: a removal by the other store is heard.
		await().atMost(TIMEOUT).until(() -> redis.subscribers(key + ":events") == 2);
		assertThat(other.remove(key).then(Mono.just(true)).block(TIMEOUT)).isTrue();
		await().atMost(TIMEOUT).until(() -> store.getIfCached(key) == null);
		assertThat(store.get(key).block(TIMEOUT)).isNull();
		assertThat(factory.callers).hasSize(calls);
	}

	@Test
	void stopsConnectingWhenDestroyedFirst() {
		RecordingFactory factory = new RecordingFactory(redis.connectionFactory());
		redis.stop();
		try {
			RedisTokenStore store = RedisTokenStore.builder(factory).build();
			await().atMost(TIMEOUT).until(() -> factory.callers.size() >= 2);
			store.destroy();
		}
		finally {
			redis.restart();
		}
		int calls = factory.callers.size();
		await().during(Duration.ofSeconds(3)).atMost(TIMEOUT).until(() -> factory.callers.size() == calls);
	}

	@Test
	void connectsAgainWhenItsConnectionFactoryIsStoppedAndStarted() {
		LettuceConnectionFactory lettuce = redis.connectionFactory();
		RedisTokenStore store = store(lettuce);
		RedisTokenStore other = store(redis.connectionFactory());
		String key = "token-refresh:factory-restarted";
		Token token = token("access-factory-restarted-01234");
		assertThat(store.put(key, token).block(TIMEOUT)).isEqualTo(token);
		assertThat(other.get(key).block(TIMEOUT)).isEqualTo(token);
		// As around a checkpoint and restore: the factory disposes of its client and makes a new one.
		lettuce.stop();
		lettuce.start();
		Token newer = token("access-factory-restarted-newer-0").mutate().issuedAt(Instant.now().plusSeconds(1)).build();
		await().atMost(TIMEOUT).untilAsserted(() -> {
			assertThat(store.put(key, newer).subscribeOn(Schedulers.parallel()).block(TIMEOUT)).isEqualTo(newer);
			assertThat(redis.admin().get(key)).contains(TokenCodec.fingerprint(newer));
		});
		// Notifications reach the store again: a removal by the other store is heard.
		await().atMost(TIMEOUT).until(() -> redis.subscribers(key + ":events") == 2);
		other.remove(key).block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> store.getIfCached(key) == null);
	}

	@Test
	void asksAFactoryThatDoesNotShareItsConnectionForAConnectionPerCommand() {
		LettuceConnectionFactory lettuce = redis.connectionFactory();
		lettuce.setShareNativeConnection(false);
		RedisTokenStore store = store(lettuce);
		String key = "token-refresh:unshared";
		Token token = token("access-unshared-connection-0123");
		assertThat(onParallel(50, (i) -> store.put(key, token))).hasSize(50).containsOnly(token);
		assertThat(redis.admin().get(key)).contains(TokenCodec.fingerprint(token));
		assertThat(store.toString()).contains("redis=available");
	}

	private RedisTokenStore store(ReactiveRedisConnectionFactory factory) {
		RedisTokenStore store = RedisTokenStore.builder(factory).commandTimeout(Duration.ofSeconds(2)).build();
		this.stores.add(store);
		return store;
	}

	private static <T> List<T> onParallel(int count, IntFunction<Mono<T>> command) {
		return Flux.range(0, count)
			.flatMap((i) -> command.apply(i).subscribeOn(Schedulers.parallel()))
			.collectList()
			.block(TIMEOUT);
	}

	private static Token token(String accessToken) {
		return Token.builder(accessToken)
			.issuedAt(Instant.now())
			.expiresIn(Duration.ofSeconds(300))
			.scopes(Set.of())
			.build();
	}

	/**
	 * Records the thread of every call for a connection: not a Lettuce factory, so the store holds its connection.
	 */
	private static final class RecordingFactory implements ReactiveRedisConnectionFactory {

		private final List<String> callers = new CopyOnWriteArrayList<>();

		private final ReactiveRedisConnectionFactory delegate;

		RecordingFactory(ReactiveRedisConnectionFactory delegate) {
			this.delegate = delegate;
		}

		@Override
		public ReactiveRedisConnection getReactiveConnection() {
			this.callers.add(Thread.currentThread().getName());
			return this.delegate.getReactiveConnection();
		}

		@Override
		public ReactiveRedisClusterConnection getReactiveClusterConnection() {
			this.callers.add(Thread.currentThread().getName());
			return this.delegate.getReactiveClusterConnection();
		}

		@Override
		public DataAccessException translateExceptionIfPossible(RuntimeException ex) {
			return this.delegate.translateExceptionIfPossible(ex);
		}

	}

}
