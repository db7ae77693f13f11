package io.github.tokenrefresh.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TokenTests {

	private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

	@Test
	void expiryComesFromExpiresIn() {
		Token token = Token.builder("abc").issuedAt(NOW).expiresIn(Duration.ofSeconds(300)).build();
		assertThat(token.getExpiresAt()).isEqualTo(NOW.plusSeconds(300));
		assertThat(token.getLifetime()).isEqualTo(Duration.ofSeconds(300));
	}

	@Test
	void expiryComesFromJwtExpClaimWhenExpiresInIsAbsent() {
		String jwt = encode("{\"alg\":\"none\"}") + "." + encode("{\"sub\":\"x\",\"exp\":1767225900}") + ".sig";
		Token token = Token.builder(jwt).issuedAt(NOW).build();
		assertThat(token.getExpiresAt()).isEqualTo(Instant.ofEpochSecond(1767225900));
	}

	@Test
	void expiryIsUnknownForOpaqueTokenWithoutExpiresIn() {
		assertThat(Token.builder("opaque.value.here").issuedAt(NOW).build().getExpiresAt()).isNull();
		assertThat(Token.builder("opaque").issuedAt(NOW).build().getExpiresAt()).isNull();
	}

	@Test
	void toStringShowsNoSecret() {
		String access = "access-token-value-0123456789-secret";
		String refresh = "refresh-token-value-0123456789-secret";
		Token token = Token.builder(access).refreshToken(refresh).scopes(List.of("read")).issuedAt(NOW).build();
		assertThat(token.toString()).doesNotContain(access).doesNotContain(refresh).doesNotContain("0123456789")
			.contains("read");
	}

	private static String encode(String json) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
	}

}
