package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A rolling encryption-key rotation over two instances, each a {@link TokenManager} over its own
 * {@link RedisTokenStore} and connection factory, replaced one at a time as a deploy replaces them: old, then
 * [new, old], then [new].
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTokenStoreKeyRotationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final byte[] OLD = key(1);

	private static final byte[] NEW = key(2);

	private static EmbeddedRedis redis;

	private final MutableClock clock = new MutableClock();

	private final List<RedisTokenStore> stores = new ArrayList<>();

	private final TestTokenServer tokenServer = new TestTokenServer(true, Duration.ofSeconds(300));

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void emptyRedis() {
		redis.admin().flushall();
	}

	@AfterEach
	void tearDown() {
		this.stores.forEach(RedisTokenStore::destroy);
		this.tokenServer.close();
	}

	@Test
	void rollingKeyRotationFailsNoRequestAndCostsAtMostOneTokenCall(CapturedOutput output) {
		TokenManager a = instance(List.of(OLD));
		TokenManager b = instance(List.of(OLD));
		load(a, b);
		assertThat(this.tokenServer.requests()).isOne();
		// Each step replaces one instance while the other serves, and each runs under load.
		b = instance(List.of(NEW, OLD));
		load(a, b);
		a = instance(List.of(NEW, OLD));
		load(a, b);
		// Into the refresh window: the refresh stores the next token under the new key, readable by both.
		this.clock.advance(Duration.ofSeconds(250));
		load(a, b);
		b = instance(List.of(NEW));
		load(a, b);
		a = instance(List.of(NEW));
		load(a, b);
		assertThat(this.tokenServer.requests()).as("token calls").isLessThanOrEqualTo(3);
		assertThat(this.tokenServer.logins()).as("logins").isOne();
		assertThat(this.tokenServer.reuses()).isZero();
		assertThat(occurrences(output, " WARN ")).as("WARN lines").isLessThanOrEqualTo(1);
		assertThat(redis.admin().get(a.getKey())).doesNotContain("\"token\"");
	}

	@Test
	void anInstanceThatCannotReadTheStoredTokenUsesItsOwnAndLeavesTheStoredOne(CapturedOutput output) {
		TokenManager rotated = instance(List.of(NEW));
		Token stored = rotated.getToken().block(TIMEOUT);
		String value = redis.admin().get(rotated.getKey());
		TokenManager old = instance(List.of(OLD));
		List<Token> tokens = Flux.range(0, 200).flatMap((i) -> old.getToken()).collectList().block(TIMEOUT);
		assertThat(tokens).hasSize(200).extracting(Token::getAccessToken).doesNotContain(stored.getAccessToken());
		assertThat(tokens.stream().map(Token::getAccessToken).distinct()).hasSize(1);
		// The instances that can read the stored token keep it.
		assertThat(redis.admin().get(rotated.getKey())).isEqualTo(value);
		assertThat(rotated.getToken().block(TIMEOUT)).isEqualTo(stored);
		assertThat(this.tokenServer.logins()).as("logins of %s requests, %s refreshes", this.tokenServer.requests(),
				this.tokenServer.refreshes()).isEqualTo(2);
		assertThat(occurrences(output, "cannot read the token stored under")).isOne();
	}

	private void load(TokenManager a, TokenManager b) {
		List<Token> tokens = Flux
			.merge(Flux.range(0, 250).flatMap((i) -> a.getToken()), Flux.range(0, 250).flatMap((i) -> b.getToken()))
			.collectList()
			.block(TIMEOUT);
		assertThat(tokens).hasSize(500);
	}

	private TokenManager instance(List<byte[]> keys) {
		RedisTokenStore store = RedisTokenStore.builder(redis.connectionFactory())
			.clock(this.clock)
			.encryptionKeys(keys)
			.commandTimeout(Duration.ofSeconds(2))
			.build();
		this.stores.add(store);
		return TokenManager.builder("rotation", this.tokenServer.source("rotation", this.clock))
			.store(store)
			.clock(this.clock)
			.build();
	}

	private static byte[] key(int fill) {
		byte[] key = new byte[32];
		Arrays.fill(key, (byte) fill);
		return key;
	}

	private static int occurrences(CapturedOutput output, String text) {
		Matcher matcher = Pattern.compile(Pattern.quote(text)).matcher(output.getOut() + output.getErr());
		int count = 0;
		while (matcher.find()) {
			count++;
		}
		return count;
	}

}
