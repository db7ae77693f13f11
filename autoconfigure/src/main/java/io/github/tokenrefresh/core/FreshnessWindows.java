package io.github.tokenrefresh.core;

import java.time.Duration;
import java.time.Instant;

/**
 * The instants at which one token enters the refresh windows: a pure function of its lifetime and the client's
 * settings, computed once per token rather than per request.
 *
 * @param staleAt the epoch millisecond from which the token must be replaced before use
 * @param refreshAheadAt the epoch millisecond from which a background refresh replaces it while it is used
 */
record FreshnessWindows(long staleAt, long refreshAheadAt) {

	private static final FreshnessWindows NEVER = new FreshnessWindows(Long.MAX_VALUE, Long.MAX_VALUE);

	/**
	 * Compute the windows of a token: stale {@code min(refreshBeforeExpiry, lifetime / 2)} before expiry, refreshed
	 * in the background {@code min(refreshAhead, 3/4 lifetime)} before expiry (never when {@code refreshAhead} is
	 * zero); a token without an expiry is never stale.
	 */
	static FreshnessWindows of(Token token, Duration refreshBeforeExpiry, Duration refreshAhead) {
		Instant expiresAt = token.getExpiresAt();
		Duration lifetime = token.getLifetime();
		if (expiresAt == null || lifetime == null) {
			return NEVER;
		}
		// A window wider than a short-lived token would refresh it on every request (Spring Security 14943).
		Duration before = min(refreshBeforeExpiry, lifetime.dividedBy(2));
		long staleAt = expiresAt.minus(before).toEpochMilli();
		long aheadAt = Long.MAX_VALUE;
		if (!refreshAhead.isZero()) {
			aheadAt = expiresAt.minus(min(refreshAhead, lifetime.multipliedBy(3).dividedBy(4))).toEpochMilli();
		}
		return new FreshnessWindows(staleAt, aheadAt);
	}

	Freshness at(long millis) {
		if (millis >= this.staleAt) {
			return Freshness.STALE;
		}
		return (millis >= this.refreshAheadAt) ? Freshness.REFRESH_AHEAD : Freshness.FRESH;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	enum Freshness {

		/** Good to use. */
		FRESH,

		/** Good to use while a background refresh replaces it. */
		REFRESH_AHEAD,

		/** Must be replaced before use. */
		STALE

	}

}
