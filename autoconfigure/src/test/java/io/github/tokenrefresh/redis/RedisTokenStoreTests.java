package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import io.github.tokenrefresh.core.Token;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisTokenStore} against a real redis-server.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTokenStoreTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private static final byte[] ENCRYPTION_KEY = Base64.getDecoder()
		.decode("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=");

	private static EmbeddedRedis redis;

	private static RedisTokenStore store;

	private static RedisTokenStore encryptingStore;

	private final Instant now = Instant.now();

	private String key;

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
		store = RedisTokenStore.builder(redis.connectionFactory()).build();
		encryptingStore = RedisTokenStore.builder(redis.connectionFactory()).encryptionKey(ENCRYPTION_KEY).build();
	}

	@AfterAll
	static void stopRedis() {
		store.destroy();
		encryptingStore.destroy();
		redis.close();
	}

	@BeforeEach
	void key(TestInfo info) {
		this.key = "token-refresh:" + info.getTestMethod().orElseThrow().getName();
	}

	@Test
	void returnsTheTokenItStored() {
		Token token = token("access-round-trip-0123456789", this.now).mutate()
			.refreshToken("refresh-round-trip-0123456789")
			.refreshTokenExpiresAt(this.now.plusSeconds(3600))
			.scopes(List.of("read", "write"))
			.build();
		StepVerifier.create(store.put(this.key, token)).expectNext(token).verifyComplete();
		RedisTokenStore other = RedisTokenStore.builder(redis.connectionFactory()).build();
		try {
			StepVerifier.create(other.get(this.key)).assertNext((read) -> {
				assertThat(read).isEqualTo(token);
				assertThat(read.getRefreshTokenExpiresAt()).isEqualTo(token.getRefreshTokenExpiresAt());
				assertThat(read.getScopes()).containsExactly("read", "write");
			}).expectComplete().verify(TIMEOUT);
		}
		finally {
			other.destroy();
		}
	}

	@Test
	void refusesATokenIssuedBeforeTheStoredOne() {
		Token newer = token("access-newer-0123456789012345", this.now);
		Token older = token("access-older-0123456789012345", this.now.minusSeconds(5));
		StepVerifier.create(store.put(this.key, newer)).expectNext(newer).verifyComplete();
		StepVerifier.create(store.put(this.key, older)).expectNext(newer).expectComplete().verify(TIMEOUT);
		assertThat(redis.admin().get(this.key)).contains(TokenCodec.fingerprint(newer));
	}

	@Test
	void writesTheSuccessorOfTheStoredTokenWhateverTheIssueTimes() {
		// Stored by an instance whose clock is ten seconds ahead of this one's.
		Token stored = token("access-ahead-01234567890123456", this.now.plusSeconds(10));
		Token successor = token("access-successor-012345678901", this.now);
		store.put(this.key, stored).block(TIMEOUT);
		StepVerifier.create(store.replace(this.key, stored, successor)).expectNext(successor).verifyComplete();
		assertThat(redis.admin().get(this.key)).contains(TokenCodec.fingerprint(successor));
	}

	@Test
	void refusesAnOlderTokenThatReplacesAnotherThanTheStoredOne() {
		Token gone = token("access-gone-012345678901234567", this.now.minusSeconds(20));
		Token stored = token("access-stored-0123456789012345", this.now);
		Token late = token("access-late-012345678901234567", this.now.minusSeconds(10));
		store.put(this.key, stored).block(TIMEOUT);
		StepVerifier.create(store.replace(this.key, gone, late)).expectNext(stored).expectComplete().verify(TIMEOUT);
		StepVerifier.create(store.replace(this.key, null, late)).expectNext(stored).expectComplete().verify(TIMEOUT);
		assertThat(redis.admin().get(this.key)).contains(TokenCodec.fingerprint(stored));
	}

	@Test
	void neverShortensTheTtlOfTheStoredKey() {
		Token longLived = token("access-long-lived-012345678901", this.now).mutate()
			.expiresAt(this.now.plusSeconds(3600))
			.build();
		Token shortLived = token("access-short-lived-01234567890", this.now.plusSeconds(1)).mutate()
			.expiresAt(this.now.plusSeconds(120))
			.build();
		store.put(this.key, longLived).block(TIMEOUT);
		StepVerifier.create(store.put(this.key, shortLived)).expectNext(shortLived).verifyComplete();
		assertThat(redis.admin().pttl(this.key)).isGreaterThan(Duration.ofSeconds(3000).toMillis());
	}

	@Test
	void keepsANewerTokenWhenAskedToRemoveAnOlderOne() {
		Token old = token("access-old-01234567890123456789", this.now.minusSeconds(10));
		Token current = token("access-current-012345678901234", this.now);
		store.put(this.key, current).block(TIMEOUT);
		StepVerifier.create(store.removeIfSame(this.key, old)).expectNext(false).verifyComplete();
		assertThat(redis.admin().get(this.key)).isNotNull();
		StepVerifier.create(store.removeIfSame(this.key, current)).expectNext(true).verifyComplete();
		assertThat(redis.admin().get(this.key)).isNull();
		StepVerifier.create(store.get(this.key)).expectComplete().verify(TIMEOUT);
	}

	@Test
	void removesWhateverTheKeyHolds() {
		store.put(this.key, token("access-removed-012345678901234", this.now)).block(TIMEOUT);
		StepVerifier.create(store.remove(this.key)).expectComplete().verify(TIMEOUT);
		assertThat(redis.admin().get(this.key)).isNull();
		StepVerifier.create(store.get(this.key)).expectComplete().verify(TIMEOUT);
	}

	@Test
	void givesEveryKeyATtl() {
		Token expiring = token("access-expiring-01234567890123", this.now);
		Token unknownExpiry = Token.builder("opaque-access-without-expiry-0123").issuedAt(this.now).build();
		Token withRefreshToken = token("access-with-refresh-0123456789", this.now).mutate()
			.refreshToken("refresh-without-expiry-0123456789")
			.build();
		store.put(this.key + ":expiring", expiring).block(TIMEOUT);
		store.put(this.key + ":unknown", unknownExpiry).block(TIMEOUT);
		store.put(this.key + ":refresh", withRefreshToken).block(TIMEOUT);
		assertThat(redis.admin().pttl(this.key + ":expiring")).isBetween(200_000L, 300_000L);
		assertThat(redis.admin().pttl(this.key + ":unknown")).isBetween(3_500_000L, 3_600_000L);
		assertThat(redis.admin().pttl(this.key + ":refresh")).isBetween(28_700_000L, 28_800_000L);
		for (String stored : redis.admin().keys(this.key + "*")) {
			assertThat(redis.admin().pttl(stored)).as(stored).isPositive();
		}
	}

	@Test
	void storesVersionedJson() {
		Token token = token("access-json-012345678901234567", this.now);
		store.put(this.key, token).block(TIMEOUT);
		JsonNode value = JsonMapper.builder().build().readTree(redis.admin().get(this.key));
		assertThat(value.path("v").asInt()).isEqualTo(1);
		assertThat(value.path("iat").asLong()).isEqualTo(this.now.toEpochMilli());
		assertThat(value.path("fp").asString()).isEqualTo(TokenCodec.fingerprint(token));
		assertThat(value.path("token").path("access_token").asString()).isEqualTo(token.getAccessToken());
	}

	@Test
	void encryptedValueContainsNeitherTheAccessNorTheRefreshToken() {
		Token token = token("access-secret-0123456789012345", this.now).mutate()
			.refreshToken("refresh-secret-0123456789012345")
			.build();
		encryptingStore.put(this.key, token).block(TIMEOUT);
		String raw = redis.admin().get(this.key);
		assertThat(raw).doesNotContain(token.getAccessToken(), token.getRefreshToken());
		assertThat(JsonMapper.builder().build().readTree(raw).path("v").asInt()).isEqualTo(1);
		RedisTokenStore reader = RedisTokenStore.builder(redis.connectionFactory())
			.encryptionKey(ENCRYPTION_KEY)
			.build();
		try {
			StepVerifier.create(reader.get(this.key)).expectNext(token).expectComplete().verify(TIMEOUT);
		}
		finally {
			reader.destroy();
		}
	}

	@Test
	void ignoresAValueItCannotDecryptWithoutLeakingIt(CapturedOutput output) {
		Token token = token("access-other-key-0123456789012", this.now);
		encryptingStore.put(this.key, token).block(TIMEOUT);
		byte[] otherKey = new byte[32];
		RedisTokenStore reader = RedisTokenStore.builder(redis.connectionFactory()).encryptionKey(otherKey).build();
		try {
			StepVerifier.create(reader.get(this.key)).expectComplete().verify(TIMEOUT);
		}
		finally {
			reader.destroy();
		}
		assertThat(output).contains("cannot read the token stored under").doesNotContain(token.getAccessToken());
	}

	@Test
	void servesItsLastTokenWithoutARedisCommand() {
		Token token = token("access-near-cache-012345678901", this.now);
		store.put(this.key, token).block(TIMEOUT);
		// The key's channel is subscribed in the background on first use: let that finish before counting.
		await().atMost(TIMEOUT).until(() -> redis.subscribers(this.key + ":events") == 1);
		redis.resetCommandCount();
		Flux.range(0, 1000).flatMap((i) -> store.get(this.key)).blockLast(TIMEOUT);
		assertThat(redis.commandCount()).isZero();
		// The count is real: a key this instance never saw costs a GET.
		store.get(this.key + ":unseen").block(TIMEOUT);
		assertThat(redis.calls("get")).isEqualTo(1);
	}

	@Test
	void readsRedisForARefreshEvenWhileItsNearCacheHoldsAToken() {
		Token cached = token("access-cached-0123456789012345", this.now);
		Token newer = token("access-behind-its-back-0123456", this.now.plusSeconds(1));
		store.put(this.key, cached).block(TIMEOUT);
		// Written behind the store's back, without a notification, as if the notification had been lost.
		redis.admin().psetex(this.key, 60_000, new TokenCodec((byte[]) null).encode(this.key, newer));
		StepVerifier.create(store.get(this.key)).expectNext(cached).expectComplete().verify(TIMEOUT);
		StepVerifier.create(store.refreshExclusively(this.key, store.get(this.key)))
			.expectNext(newer)
			.expectComplete()
			.verify(TIMEOUT);
		StepVerifier.create(store.get(this.key)).expectNext(newer).expectComplete().verify(TIMEOUT);
		assertThat(redis.admin().get(this.key + ":lease")).as("lease released").isNull();
	}

	@Test
	void dropsItsNearCacheEntryWhenAnotherInstanceStoresANewerToken() {
		Token first = token("access-first-01234567890123456", this.now);
		Token second = token("access-second-0123456789012345", this.now.plusSeconds(1));
		RedisTokenStore other = RedisTokenStore.builder(redis.connectionFactory()).build();
		try {
			store.put(this.key, first).block(TIMEOUT);
			other.get(this.key).block(TIMEOUT);
			await().atMost(TIMEOUT).until(() -> redis.subscribers(this.key + ":events") == 2);
			other.put(this.key, second).block(TIMEOUT);
			await().atMost(TIMEOUT)
				.untilAsserted(() -> assertThat(store.get(this.key).block(TIMEOUT)).isEqualTo(second));
		}
		finally {
			other.destroy();
		}
	}

	@Test
	void fallsBackToItsLastTokenWhenRedisDoesNotAnswerInTime(CapturedOutput output) {
		Token token = token("access-hung-redis-012345678901", this.now);
		RedisTokenStore hung = RedisTokenStore.builder(redis.connectionFactory())
			.commandTimeout(Duration.ofMillis(200))
			.build();
		try {
			hung.put(this.key, token).block(TIMEOUT);
			// The refresh path reads Redis: with Redis hung it must still get the token within the budget.
			redis.admin().clientPause(2000);
			StepVerifier.create(hung.refreshExclusively(this.key, hung.get(this.key)))
				.expectNext(token)
				.expectComplete()
				.verify(Duration.ofMillis(1500));
			assertThat(hung.toString()).contains("redis=unavailable").doesNotContain(token.getAccessToken());
			assertThat(output).contains("Redis token store is unreachable (no answer within the command timeout)");
		}
		finally {
			hung.destroy();
		}
	}

	@Test
	void toStringShowsNoSecret() {
		Token token = token("access-to-string-0123456789012", this.now).mutate()
			.refreshToken("refresh-to-string-012345678901")
			.build();
		encryptingStore.put(this.key, token).block(TIMEOUT);
		assertThat(encryptingStore.toString()).startsWith("RedisTokenStore[")
			.contains("encrypted=true")
			.doesNotContain(token.getAccessToken(), token.getRefreshToken(),
					Base64.getEncoder().encodeToString(ENCRYPTION_KEY));
	}

	private static Token token(String accessToken, Instant issuedAt) {
		return Token.builder(accessToken).issuedAt(issuedAt).expiresIn(Duration.ofSeconds(300))
			.scopes(Set.of()).build();
	}

}
