package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances sharing a redis-server that is stopped and restarted under them.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTokenStoreOutageTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final String OUTAGE = "Redis token store is unreachable";

	private static final String RECOVERY = "Redis token store is reachable again";

	private static EmbeddedRedis redis;

	private final MutableClock clock = new MutableClock();

	private final List<RedisTokenStore> stores = new ArrayList<>();

	// Client credentials only: during an outage each instance has to log in on its own.
	private final TestTokenServer tokenServer = new TestTokenServer(false, Duration.ofSeconds(300));

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void tearDown() {
		this.stores.forEach(RedisTokenStore::destroy);
		this.tokenServer.close();
	}

	@Test
	void keepsServingTokensWhileRedisIsDownAndSharesThemAgainOnceItIsBack(CapturedOutput output) {
		TokenManager a = instance();
		TokenManager b = instance();
		Token shared = a.getToken().block(TIMEOUT);
		assertThat(b.getToken().block(TIMEOUT)).isEqualTo(shared);

		redis.stop();
		assertThat(accessTokens(requests(a, b))).containsExactly(shared.getAccessToken());
		// Past expiry: a token in its refresh window would still be served while the refresh runs.
		this.clock.advance(Duration.ofSeconds(301));
		List<Token> renewed = requests(a, b);
		List<Token> renewedLater = requests(a, b);
		assertThat(renewed).hasSize(400);
		// Without Redis there is no fleet lease, but each instance still refreshes once for all its requests.
		assertThat(this.tokenServer.requests()).isEqualTo(3);
		assertThat(accessTokens(renewed)).hasSize(2).doesNotContain(shared.getAccessToken());
		assertThat(accessTokens(renewedLater)).isEqualTo(accessTokens(renewed));
		assertThat(occurrences(output, OUTAGE)).isEqualTo(2);

		redis.restart();
		await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() -> {
			this.clock.advance(Duration.ofSeconds(250));
			requests(a, b);
			return occurrences(output, RECOVERY) == 2 && redis.admin().get(a.getKey()) != null;
		});
		assertThat(redis.admin().pttl(a.getKey())).isPositive();
		assertThat(occurrences(output, OUTAGE)).isEqualTo(2);
		// Writes go to Redis again: both instances converge on the token Redis holds.
		await().atMost(TIMEOUT).untilAsserted(() -> {
			Token stored = a.getStoredToken().block(TIMEOUT);
			assertThat(b.getStoredToken().block(TIMEOUT)).isEqualTo(stored);
			assertThat(redis.admin().get(a.getKey())).contains(TokenCodec.fingerprint(stored));
		});
	}

	private static List<Token> requests(TokenManager a, TokenManager b) {
		return Flux
			.merge(Flux.range(0, 200).flatMap((i) -> a.getToken()), Flux.range(0, 200).flatMap((i) -> b.getToken()))
			.collectList()
			.block(TIMEOUT);
	}

	private static int occurrences(CapturedOutput output, String text) {
		Matcher matcher = Pattern.compile(Pattern.quote(text)).matcher(output.getOut() + output.getErr());
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

	private TokenManager instance() {
		RedisTokenStore store = RedisTokenStore.builder(redis.connectionFactory())
			.clock(this.clock)
			// Lettuce rejects commands at once while disconnected: a generous budget keeps a slow CI machine
			// from looking like a second outage.
			.commandTimeout(Duration.ofSeconds(2))
			.build();
		this.stores.add(store);
		return TokenManager.builder("outage", this.tokenServer.source("outage", this.clock))
			.store(store)
			.clock(this.clock)
			.build();
	}

	private static Set<String> accessTokens(List<Token> tokens) {
		return tokens.stream().map(Token::getAccessToken).collect(Collectors.toSet());
	}

}
