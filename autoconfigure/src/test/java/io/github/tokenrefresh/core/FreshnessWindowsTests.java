package io.github.tokenrefresh.core;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.FreshnessWindows.Freshness;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The refresh windows as a function of a token's lifetime and the client's settings.
 */
class FreshnessWindowsTests {

	private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");

	private static Token token(Duration lifetime) {
		return Token.builder("access").issuedAt(ISSUED).expiresIn(lifetime).build();
	}

	private static long at(Duration sinceIssue) {
		return ISSUED.plus(sinceIssue).toEpochMilli();
	}

	@Test
	void tokenIsStaleTheConfiguredTimeBeforeExpiry() {
		FreshnessWindows windows = FreshnessWindows.of(token(Duration.ofMinutes(10)), Duration.ofSeconds(60),
				Duration.ZERO);
		assertThat(windows.at(at(Duration.ofSeconds(539)))).isEqualTo(Freshness.FRESH);
		assertThat(windows.at(at(Duration.ofSeconds(540)))).isEqualTo(Freshness.STALE);
		assertThat(windows.refreshAheadAt()).isEqualTo(Long.MAX_VALUE);
	}

	@Test
	void windowIsCappedAtHalfTheLifetimeOfAShortLivedToken() {
		FreshnessWindows windows = FreshnessWindows.of(token(Duration.ofSeconds(2)), Duration.ofSeconds(60),
				Duration.ZERO);
		assertThat(windows.at(at(Duration.ofMillis(999)))).isEqualTo(Freshness.FRESH);
		assertThat(windows.at(at(Duration.ofSeconds(1)))).isEqualTo(Freshness.STALE);
	}

	@Test
	void refreshAheadStartsBeforeTheStaleWindowAndIsCappedAtThreeQuartersOfTheLifetime() {
		FreshnessWindows windows = FreshnessWindows.of(token(Duration.ofMinutes(10)), Duration.ofSeconds(60),
				Duration.ofMinutes(5));
		assertThat(windows.at(at(Duration.ofSeconds(299)))).isEqualTo(Freshness.FRESH);
		assertThat(windows.at(at(Duration.ofSeconds(300)))).isEqualTo(Freshness.REFRESH_AHEAD);
		assertThat(windows.at(at(Duration.ofSeconds(540)))).isEqualTo(Freshness.STALE);
		FreshnessWindows capped = FreshnessWindows.of(token(Duration.ofMinutes(10)), Duration.ofSeconds(60),
				Duration.ofHours(1));
		assertThat(capped.refreshAheadAt()).isEqualTo(at(Duration.ofSeconds(150)));
	}

	@Test
	void tokenWithoutAnExpiryIsNeverStale() {
		FreshnessWindows windows = FreshnessWindows.of(Token.builder("access").issuedAt(ISSUED).build(),
				Duration.ofSeconds(60), Duration.ofMinutes(5));
		assertThat(windows.at(Long.MAX_VALUE - 1)).isEqualTo(Freshness.FRESH);
	}

}
