package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;

import io.github.tokenrefresh.core.Token;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link TokenCodec}.
 */
class TokenCodecTests {

	private static final byte[] KEY = new byte[32];

	private final Token token = Token.builder("access-codec-0123456789012345")
		.issuedAt(Instant.parse("2026-01-01T10:00:00.123456789Z"))
		.expiresIn(Duration.ofMinutes(5))
		.refreshToken("refresh-codec-0123456789012345")
		.refreshTokenExpiresIn(Duration.ofHours(1))
		.scopes(List.of("read"))
		.build();

	@Test
	void readsWhatItWroteToTheNanosecond() {
		TokenCodec codec = new TokenCodec((byte[]) null);
		Token read = codec.decode("k", codec.encode("k", this.token));
		assertThat(read).isEqualTo(this.token);
		assertThat(read.getIssuedAt()).isEqualTo(this.token.getIssuedAt());
		assertThat(read.getRefreshTokenExpiresAt()).isEqualTo(this.token.getRefreshTokenExpiresAt());
		assertThat(read.getScopes()).containsExactly("read");
	}

	@Test
	void encryptsWithAFreshIvEachTime() {
		TokenCodec codec = new TokenCodec(KEY);
		String once = codec.encode("k", this.token);
		String twice = codec.encode("k", this.token);
		assertThat(once).isNotEqualTo(twice).doesNotContain(this.token.getAccessToken(), this.token.getRefreshToken());
		assertThat(codec.decode("k", once)).isEqualTo(this.token);
	}

	@Test
	void refusesAValueCopiedUnderAnotherKey() {
		TokenCodec codec = new TokenCodec(KEY);
		String value = codec.encode("token-refresh:billing", this.token);
		assertThatExceptionOfType(TokenCodec.UnreadableValueException.class)
			.isThrownBy(() -> codec.decode("token-refresh:orders", value))
			.withMessage("it cannot be decrypted with the configured encryption keys");
	}

	@Test
	void refusesAnEncryptedValueWithoutAKey() {
		String value = new TokenCodec(KEY).encode("k", this.token);
		assertThatExceptionOfType(TokenCodec.UnreadableValueException.class)
			.isThrownBy(() -> new TokenCodec((byte[]) null).decode("k", value));
	}

	@Test
	void refusesAnotherVersionAndNonJsonWithoutQuotingThem() {
		TokenCodec codec = new TokenCodec((byte[]) null);
		String future = codec.encode("k", this.token).replace("\"v\":1", "\"v\":2");
		assertThatExceptionOfType(TokenCodec.UnreadableValueException.class).isThrownBy(() -> codec.decode("k", future))
			.withMessage("it is not a version 1 token value");
		assertThatExceptionOfType(TokenCodec.UnreadableValueException.class)
			.isThrownBy(() -> codec.decode("k", "access-raw-token-not-json-0123"))
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("access-raw"));
	}

	@Test
	void readsValuesOfEveryConfiguredKeyAndEncryptsWithTheFirst() {
		byte[] newer = new byte[32];
		Arrays.fill(newer, (byte) 7);
		TokenCodec old = new TokenCodec(KEY);
		TokenCodec rotating = new TokenCodec(List.of(newer, KEY));
		TokenCodec rotated = new TokenCodec(List.of(newer));
		String written = old.encode("k", this.token);
		assertThat(rotating.decode("k", written)).isEqualTo(this.token);
		assertThat(rotating.isEncryptedWithAnOlderKey(written)).isTrue();
		String rewritten = rotating.encode("k", this.token);
		assertThat(rotating.isEncryptedWithAnOlderKey(rewritten)).isFalse();
		assertThat(rotated.decode("k", rewritten)).isEqualTo(this.token);
		assertThatExceptionOfType(TokenCodec.UnreadableValueException.class)
			.isThrownBy(() -> old.decode("k", rewritten));
	}

	@Test
	void readsValuesWrittenBeforeKeyIdsWithAnyConfiguredKey() {
		byte[] newer = new byte[32];
		Arrays.fill(newer, (byte) 7);
		String legacy = new TokenCodec(KEY).encode("k", this.token).replaceAll(",\"kid\":\"[0-9a-f]+\"", "");
		assertThat(legacy).doesNotContain("kid");
		assertThat(new TokenCodec(List.of(newer, KEY)).decode("k", legacy)).isEqualTo(this.token);
	}

	@Test
	void anUnknownKeyIsNamedByItsIdAndTheValueStillSaysWhenItExpires() {
		byte[] newer = new byte[32];
		Arrays.fill(newer, (byte) 7);
		String value = new TokenCodec(List.of(newer)).encode("k", this.token);
		assertThatExceptionOfType(TokenCodec.UnreadableValueException.class)
			.isThrownBy(() -> new TokenCodec(KEY).decode("k", value))
			.satisfies((ex) -> {
				assertThat(ex.getMessage()).contains("key id").contains("encryption-keys");
				assertThat(ex.expiresAt()).isEqualTo(this.token.getExpiresAt().truncatedTo(ChronoUnit.MILLIS));
				assertThat(ex.fingerprint()).isEqualTo(TokenCodec.fingerprint(this.token));
			});
	}

	@Test
	void refusesAKeyOfTheWrongLength() {
		assertThatIllegalArgumentException().isThrownBy(() -> new TokenCodec(new byte[16]))
			.withMessageContaining("256 bits");
	}

	@Test
	void readsTheNotificationsItWrites() {
		TokenCodec codec = new TokenCodec((byte[]) null);
		String fingerprint = TokenCodec.fingerprint(this.token);
		assertThat(codec.readEvent(codec.putEvent(fingerprint, this.token)))
			.isEqualTo(new TokenCodec.Event("put", fingerprint));
		assertThat(codec.readEvent(codec.removeEvent(null))).isEqualTo(new TokenCodec.Event("remove", null));
		assertThat(codec.readEvent(codec.releasedEvent())).isEqualTo(new TokenCodec.Event("released", null));
		assertThat(codec.readEvent("not json")).isNull();
		assertThat(codec.putEvent(fingerprint, this.token)).doesNotContain(this.token.getAccessToken());
	}

}
