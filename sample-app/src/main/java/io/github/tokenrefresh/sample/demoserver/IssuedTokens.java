package io.github.tokenrefresh.sample.demoserver;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Api;
import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Counters;
import org.jspecify.annotations.Nullable;

/**
 * Opaque tokens issued by the demo servers. The authorization server and the API share this registry the way a
 * real API would ask an introspection endpoint.
 */
final class IssuedTokens {

	private final SecureRandom random = new SecureRandom();

	private final Map<String, Issued> accessTokens = new ConcurrentHashMap<>();

	private final Map<String, Issued> refreshTokens = new ConcurrentHashMap<>();

	private final Map<String, Issued> latestBySubject = new ConcurrentHashMap<>();

	private final Duration lifetime;

	private final DemoServerStats stats;

	private final Clock clock;

	IssuedTokens(Duration lifetime, DemoServerStats stats, Clock clock) {
		this.lifetime = lifetime;
		this.stats = stats;
		this.clock = clock;
	}

	Duration lifetime() {
		return this.lifetime;
	}

	Issued issue(Api api, String subject, boolean withRefreshToken) {
		Instant now = this.clock.instant();
		this.accessTokens.values().removeIf((issued) -> !issued.expiresAt.isAfter(now));
		Issued issued = new Issued(api, subject, newValue(), withRefreshToken ? newValue() : null,
				now.plus(this.lifetime));
		this.accessTokens.put(issued.accessToken, issued);
		if (issued.refreshToken != null) {
			this.refreshTokens.put(issued.refreshToken, issued);
		}
		count(issued, this.latestBySubject.put(api + ":" + subject, issued));
		return issued;
	}

	// Why the caller came back tells proactive refreshes (it replaced a token nobody refused yet) from
	// refreshes after a 401 (the API had refused the token it replaces).
	private void count(Issued issued, @Nullable Issued previous) {
		Counters counters = this.stats.counters(issued.api);
		if (previous == null) {
			counters.firstTokens.increment();
		}
		else if (previous.refused) {
			counters.refreshesAfterUnauthorized.increment();
		}
		else {
			counters.proactiveRefreshes.increment();
		}
	}

	/**
	 * Take a refresh token out of circulation: each one can be used once, so a reused one is refused (refresh
	 * token rotation, RFC 9700 section 4.14.2).
	 */
	@Nullable Issued redeem(String refreshToken) {
		return this.refreshTokens.remove(refreshToken);
	}

	/**
	 * Return the issued token if it is good for {@code api} now. A known token that is no longer good is marked
	 * as refused.
	 */
	@Nullable Issued check(@Nullable String accessToken, Api api) {
		Issued issued = (accessToken != null) ? this.accessTokens.get(accessToken) : null;
		if (issued == null || issued.api != api) {
			return null;
		}
		if (issued.revoked || !this.clock.instant().isBefore(issued.expiresAt)) {
			issued.refused = true;
			return null;
		}
		return issued;
	}

	boolean isRevocable(Issued issued) {
		Instant issuedAt = issued.expiresAt.minus(this.lifetime);
		return !this.clock.instant().isBefore(issuedAt.plus(this.lifetime.dividedBy(4)));
	}

	void revoke(Issued issued) {
		issued.revoked = true;
		issued.refused = true;
	}

	private String newValue() {
		byte[] bytes = new byte[24];
		this.random.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

	static final class Issued {

		final Api api;

		final String subject;

		final String accessToken;

		final @Nullable String refreshToken;

		final Instant expiresAt;

		volatile boolean revoked;

		volatile boolean refused;

		Issued(Api api, String subject, String accessToken, @Nullable String refreshToken, Instant expiresAt) {
			this.api = api;
			this.subject = subject;
			this.accessToken = accessToken;
			this.refreshToken = refreshToken;
			this.expiresAt = expiresAt;
		}

		@Override
		public String toString() {
			return "Issued[api=" + this.api + ", subject=" + this.subject + ", expiresAt=" + this.expiresAt + "]";
		}

	}

}
