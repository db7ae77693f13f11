package io.github.tokenrefresh.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of a service, each a {@link TokenManager} over its own {@link RedisTokenStore} and its own
 * Lettuce connection factory, sharing one real redis-server and one counting token endpoint.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTokenStoreFleetTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static EmbeddedRedis redis;

	private final MutableClock clock = new MutableClock();

	private final List<RedisTokenStore> stores = new ArrayList<>();

	private TestTokenServer tokenServer;

	private String clientName;

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void setUp(TestInfo info) {
		this.clientName = info.getTestMethod().orElseThrow().getName();
		this.tokenServer = new TestTokenServer(true, Duration.ofSeconds(300));
	}

	@AfterEach
	void tearDown() {
		this.stores.forEach(RedisTokenStore::destroy);
		this.tokenServer.close();
	}

	@Test
	void refreshesOnceForTheWholeFleetWhenManyRequestsArriveTogether() {
		TokenManager a = instance();
		TokenManager b = instance();
		List<Token> tokens = Flux
			.merge(Flux.range(0, 500).flatMap((i) -> a.getToken(), 500),
					Flux.range(0, 500).flatMap((i) -> b.getToken(), 500))
			.collectList()
			.block(TIMEOUT);
		assertThat(tokens).hasSize(1000);
		assertThat(accessTokens(tokens)).hasSize(1);
		assertThat(this.tokenServer.requests()).isEqualTo(1);
		for (String key : redis.admin().keys(a.getKey() + "*")) {
			assertThat(redis.admin().pttl(key)).as("TTL of %s", key).isPositive();
		}
	}

	@Test
	void usesTheTokenAnotherInstanceStored() {
		TokenManager a = instance();
		TokenManager b = instance();
		Token stored = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(stored);
		assertThat(this.tokenServer.requests()).isEqualTo(1);
	}

	@Test
	void issuesNoRedisCommandInSteadyState() {
		TokenManager a = instance();
		TokenManager b = instance();
		Token token = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(token);
		// Let the lease release and both subscriptions, which finish after the tokens are handed out, settle.
		awaitSubscribers(a, 2);
		await().atMost(TIMEOUT).until(() -> redis.admin().exists(a.getKey() + ":lease") == 0);
		redis.resetCommandCount();
		List<Token> tokens = Flux
			.merge(Flux.range(0, 1000).flatMap((i) -> a.getToken()), Flux.range(0, 1000).flatMap((i) -> b.getToken()))
			.collectList()
			.block(TIMEOUT);
		assertThat(accessTokens(tokens)).containsExactly(token.getAccessToken());
		assertThat(redis.commandCount()).isZero();
	}

	@Test
	void crowdAtExpiryReadsRedisOnlyThroughTheSingleRefresh() {
		TokenManager a = instance();
		Token first = a.getToken().block(TIMEOUT);
		awaitSubscribers(a, 1);
		await().atMost(TIMEOUT).until(() -> redis.admin().exists(a.getKey() + ":lease") == 0);
		this.clock.advance(Duration.ofSeconds(301));
		redis.resetCommandCount();
		List<Token> tokens = Flux.range(0, 1000).flatMap((i) -> a.getToken(), 1000).collectList().block(TIMEOUT);
		assertThat(accessTokens(tokens)).hasSize(1).doesNotContain(first.getAccessToken());
		assertThat(this.tokenServer.requests()).isEqualTo(2);
		// The refresh's own commands (lease, re-read, put, release, notification), not one GET per request.
		assertThat(redis.commandCount()).isLessThan(20);
	}

	@Test
	void crowdAfterAnotherInstanceStoredATokenReadsRedisOnce() {
		TokenManager a = instance();
		TokenManager b = instance();
		Token first = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(first);
		awaitSubscribers(a, 2);
		Token second = b.refresh().block(TIMEOUT);
		// A's near cache no longer vouches for its token once B's notification arrives: A must ask Redis.
		await().atMost(TIMEOUT).until(() -> a.getStoredToken().block(TIMEOUT).equals(second));
		b.refresh().block(TIMEOUT);
		await().atMost(TIMEOUT).until(() -> redis.admin().exists(a.getKey() + ":lease") == 0);
		redis.resetCommandCount();
		this.clock.advance(Duration.ofMillis(1));
		List<Token> tokens = Flux.range(0, 1000).flatMap((i) -> a.getToken(), 1000).collectList().block(TIMEOUT);
		assertThat(accessTokens(tokens)).hasSize(1).doesNotContain(first.getAccessToken(), second.getAccessToken());
		assertThat(redis.calls("get")).as("GETs for 1,000 requests").isLessThanOrEqualTo(2);
	}

	@Test
	void evictsTheTokenForEveryInstanceAfterA401() {
		TokenManager a = instance();
		TokenManager b = instance();
		Token rejected = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(rejected);
		awaitSubscribers(a, 2);
		Token renewed = b.getTokenAfterUnauthorized(rejected).block(TIMEOUT);
		assertThat(renewed.getAccessToken()).isNotEqualTo(rejected.getAccessToken());
		// The eviction reaches A as a notification: A reads Redis on its next request instead of its own copy.
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(a.getToken().block(TIMEOUT)).isEqualTo(renewed));
		assertThat(this.tokenServer.requests()).isEqualTo(2);
	}

	@Test
	void rotatesRefreshTokensAcrossInstancesWithoutInvalidGrant() {
		TokenManager a = instance();
		TokenManager b = instance();
		Token previous = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(previous);
		for (int turn = 0; turn < 10; turn++) {
			// Into the refresh window of the current token (five minutes long, refreshed in its last minute).
			this.clock.advance(Duration.ofSeconds(250));
			TokenManager refresher = (turn % 2 == 0) ? b : a;
			Token next = refresher.getToken().block(TIMEOUT);
			assertThat(next.getAccessToken()).isNotEqualTo(previous.getAccessToken());
			previous = next;
		}
		assertThat(this.tokenServer.invalidGrants()).isZero();
		assertNoReuse();
		assertThat(this.tokenServer.logins()).isEqualTo(1);
		assertThat(this.tokenServer.refreshes()).isEqualTo(10);
	}

	@Test
	void rotatesRefreshTokensAcrossInstancesWhoseClocksDisagree() {
		MutableClock hourAhead = new MutableClock(this.clock.instant().plus(Duration.ofHours(1)));
		TokenManager a = instance(hourAhead, UnaryOperator.identity());
		TokenManager b = instance();
		Token first = a.getToken().block(TIMEOUT);
		// B refreshes A's token, issued "later" by A's clock: B's result replaces it, since B spent its refresh token.
		Token second = b.refresh().block(TIMEOUT);
		assertThat(second.getAccessToken()).isNotEqualTo(first.getAccessToken());
		this.clock.advance(Duration.ofSeconds(250));
		hourAhead.advance(Duration.ofSeconds(250));
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			Token third = a.getToken().block(TIMEOUT);
			assertThat(third.getAccessToken()).isNotIn(first.getAccessToken(), second.getAccessToken());
		});
		assertThat(this.tokenServer.invalidGrants()).isZero();
		assertThat(this.tokenServer.logins()).isEqualTo(1);
		assertThat(this.tokenServer.refreshes()).isEqualTo(2);
	}

	@Test
	void neverPresentsARefreshTokenTwiceEvenWithALeaseWaitFarShorterThanTheTokenCall() {
		TokenManager a = instance((builder) -> builder.leaseWait(Duration.ofSeconds(20)));
		TokenManager b = instance((builder) -> builder.leaseWait(Duration.ofSeconds(20)));
		Token first = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(first);
		this.tokenServer.delay(Duration.ofMillis(200), Duration.ofMillis(1000));
		this.clock.advance(Duration.ofSeconds(301));
		List<Token> tokens = Flux.merge(a.getToken(), b.getToken()).collectList().block(TIMEOUT);
		assertNoReuse();
		assertThat(this.tokenServer.logins()).isEqualTo(1);
		assertThat(this.tokenServer.refreshes()).isEqualTo(1);
		assertThat(accessTokens(tokens)).hasSize(1).doesNotContain(first.getAccessToken());
	}

	@Test
	void neverRefreshesWhileAnotherInstanceHoldsTheLease() {
		Duration leaseWait = Duration.ofSeconds(1);
		TokenManager b = instance((builder) -> builder.leaseWait(leaseWait));
		redis.admin().psetex(b.getKey() + ":lease", 60_000, "an-instance-that-renews-it");
		assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> b.getToken().block(TIMEOUT))
			.withMessageContaining("lease");
		assertThat(this.tokenServer.requests()).isZero();
	}

	@Test
	void takesOverTheLeaseOfAnInstanceThatStoppedRenewingIt() {
		TokenManager b = instance((builder) -> builder.leaseWait(Duration.ofSeconds(20)));
		redis.admin().psetex(b.getKey() + ":lease", 1_000, "an-instance-that-died");
		Token token = b.getToken().block(TIMEOUT);
		assertThat(token).isNotNull();
		assertThat(this.tokenServer.requests()).isEqualTo(1);
	}

	@Test
	void servesEveryRequestWithoutReuseWhenTheRefreshTakesLongerThanTheLeaseWait() {
		// 7 s refreshes of 4 s tokens with the default lease settings: a waiter must not give up after a lease wait
		// (formerly 5 s) and present the refresh token itself.
		servesEveryRequestWithoutReuseDuringASlowRefresh(Duration.ofSeconds(7));
	}

	@Test
	void servesEveryRequestWithoutReuseWhenTheRefreshTakesLongerThanTheLeaseTtl() {
		// The lease (10 s) is renewed while its holder waits 12 s for the token endpoint.
		servesEveryRequestWithoutReuseDuringASlowRefresh(Duration.ofSeconds(12));
	}

	private void servesEveryRequestWithoutReuseDuringASlowRefresh(Duration refreshTime) {
		this.tokenServer.close();
		this.tokenServer = new TestTokenServer(true, Duration.ofSeconds(4));
		Clock system = Clock.systemUTC();
		TokenManager a = instance(system, UnaryOperator.identity());
		TokenManager b = instance(system, UnaryOperator.identity());
		Token first = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(first);
		this.tokenServer.delayRefreshes(refreshTime);
		// From the refresh window (the token's last 2 s) until the slow refresh is over.
		await().atMost(TIMEOUT).until(() -> system.instant().isAfter(first.getExpiresAt().minusSeconds(2)));
		long requests = refreshTime.toMillis() / 100 + 10;
		List<Map.Entry<Token, Instant>> served = Flux.interval(Duration.ofMillis(100))
			.take(requests)
			.flatMap((i) -> ((i % 2 == 0) ? a : b).getToken().map((token) -> Map.entry(token, system.instant())))
			.collectList()
			.block(refreshTime.plus(TIMEOUT));
		assertThat(served).hasSize((int) requests);
		assertThat(served).allSatisfy((entry) -> assertThat(entry.getKey().isExpired(entry.getValue()))
			.as("served an expired token").isFalse());
		List<Token> tokens = served.stream().map(Map.Entry::getKey).toList();
		assertNoReuse();
		assertThat(this.tokenServer.logins()).isEqualTo(1);
		assertThat(accessTokens(tokens)).hasSizeGreaterThan(1);
	}

	@Test
	void leaseHolderClosedInTheMiddleOfARefreshStoresItsResultFirst() throws Exception {
		RedisTokenStore holderStore = RedisTokenStore.builder(redis.connectionFactory()).clock(this.clock).build();
		TokenManager holder = TokenManager.builder(this.clientName, this.tokenServer.source(this.clientName, this.clock))
			.store(holderStore)
			.clock(this.clock)
			.build();
		TokenManager other = instance((builder) -> builder.leaseWait(Duration.ofSeconds(20)));
		Token first = holder.getToken().block(TIMEOUT);
		assertThat(other.getToken().block(TIMEOUT)).isEqualTo(first);
		this.tokenServer.delayRefreshes(Duration.ofSeconds(2));
		this.clock.advance(Duration.ofSeconds(301));
		holder.getToken().subscribe();
		await().atMost(TIMEOUT).until(() -> redis.admin().exists(holder.getKey() + ":lease") == 1);
		CompletableFuture<Token> waiting = other.getToken().toFuture();
		// As a closing application context does: on another thread, while the refresh is at the token endpoint.
		CompletableFuture<Void> closed = CompletableFuture.runAsync(holderStore::destroy);
		Token renewed = waiting.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
		assertThat(renewed.getAccessToken()).isNotEqualTo(first.getAccessToken());
		assertNoReuse();
		assertThat(this.tokenServer.refreshes()).isEqualTo(1);
		assertThat(this.tokenServer.logins()).isEqualTo(1);
	}

	@Test
	void refreshWhoseAnswerWasLostIsNotPresentedAgain() {
		// The server rotates on receipt; the answer comes after the client's 1 s timeout.
		TokenEndpoints quick = TokenEndpoints.builder().timeout(Duration.ofSeconds(1)).build();
		TokenManager a = instance(this.clock, quick, UnaryOperator.identity());
		TokenManager b = instance(this.clock, quick, UnaryOperator.identity());
		Token first = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(first);
		this.tokenServer.delayRefreshes(Duration.ofSeconds(3));
		this.clock.advance(Duration.ofSeconds(301));
		List<Token> tokens = Flux.merge(a.getToken(), b.getToken()).collectList().block(TIMEOUT);
		assertNoReuse();
		assertThat(this.tokenServer.refreshes()).isEqualTo(1);
		assertThat(this.tokenServer.logins()).isEqualTo(2);
		assertThat(accessTokens(tokens)).hasSize(1).doesNotContain(first.getAccessToken());
	}

	@Test
	void wakesWaitersAsSoonAsTheLeaseHolderStoredItsToken() {
		TokenManager a = instance((builder) -> builder.leaseWait(Duration.ofSeconds(20)));
		TokenManager b = instance((builder) -> builder.leaseWait(Duration.ofSeconds(20)));
		a.getStoredToken().block(TIMEOUT);
		b.getStoredToken().block(TIMEOUT);
		awaitSubscribers(a, 2);
		long started = System.nanoTime();
		List<Token> tokens = Flux.merge(a.getToken(), b.getToken()).collectList().block(TIMEOUT);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
		assertThat(accessTokens(tokens)).hasSize(1);
		assertThat(this.tokenServer.requests()).isEqualTo(1);
	}

	@Test
	void logsNoSecret(CapturedOutput output) {
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		logging.setLogLevel("io.github.tokenrefresh", LogLevel.DEBUG);
		logging.setLogLevel("io.lettuce", LogLevel.DEBUG);
		try {
			TokenManager a = instance();
			TokenManager b = instance();
			Token first = a.getToken().block(TIMEOUT);
			b.getToken().block(TIMEOUT);
			Token second = b.getTokenAfterUnauthorized(first).block(TIMEOUT);
			assertThat(output).contains("DEBUG")
				.doesNotContain(first.getAccessToken(), first.getRefreshToken(), second.getAccessToken(),
						second.getRefreshToken());
		}
		finally {
			logging.setLogLevel("io.github.tokenrefresh", null);
			logging.setLogLevel("io.lettuce", null);
		}
	}

	private void assertNoReuse() {
		assertThat(this.tokenServer.reuses()).as("refresh tokens presented twice").isZero();
		assertThat(this.tokenServer.familyRevocations()).as("token families revoked").isZero();
	}

	private void awaitSubscribers(TokenManager manager, int count) {
		await().atMost(TIMEOUT).until(() -> redis.subscribers(manager.getKey() + ":events") == count);
	}

	private TokenManager instance() {
		return instance(UnaryOperator.identity());
	}

	private TokenManager instance(UnaryOperator<RedisTokenStore.Builder> customizer) {
		return instance(this.clock, customizer);
	}

	private TokenManager instance(Clock clock, UnaryOperator<RedisTokenStore.Builder> customizer) {
		return instance(clock, TokenEndpoints.builder().timeout(Duration.ofSeconds(20)).build(), customizer);
	}

	private TokenManager instance(Clock clock, TokenEndpoints endpoints,
			UnaryOperator<RedisTokenStore.Builder> customizer) {
		RedisTokenStore store = customizer.apply(RedisTokenStore.builder(redis.connectionFactory()).clock(clock))
			.build();
		this.stores.add(store);
		return TokenManager.builder(this.clientName, this.tokenServer.source(this.clientName, clock, endpoints))
			.store(store)
			.clock(clock)
			.build();
	}

	private static Set<String> accessTokens(List<Token> tokens) {
		return tokens.stream().map(Token::getAccessToken).collect(Collectors.toSet());
	}

}
