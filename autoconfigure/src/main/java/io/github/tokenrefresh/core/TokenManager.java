package io.github.tokenrefresh.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import reactor.core.publisher.Mono;

/**
 * Keeps one client's token valid: serves it from the {@link TokenStore}, refreshes it ahead of expiry and after
 * a 401, with at most one refresh in flight at a time however many callers need one.
 * <p>
 * Order of recovery: the refresh token when there is one; when that is rejected, a full acquisition; when that is
 * rejected too, a {@link TokenAcquisitionException} that is remembered for the rejection cooldown so that a storm
 * of requests does not become a storm of logins.
 *
 * @see #builder(String, TokenSource)
 */
public final class TokenManager {

	private static final Log logger = LogFactory.getLog(TokenManager.class);

	private final String clientName;

	private final String key;

	private final TokenSource source;

	private final TokenStore store;

	private final Duration refreshBeforeExpiry;

	private final Duration refreshAhead;

	private final Duration rejectionCooldown;

	private final Duration maxWait;

	private final boolean autoRefresh;

	private final Clock clock;

	private final SingleFlight<String, Token> refreshes = new SingleFlight<>();

	private volatile @Nullable Rejection rejection;

	private volatile @Nullable Token refreshedAhead;

	private TokenManager(Builder builder) {
		this.clientName = builder.clientName;
		this.key = builder.keyPrefix + builder.clientName;
		this.source = builder.source;
		this.store = builder.store;
		this.refreshBeforeExpiry = builder.refreshBeforeExpiry;
		this.refreshAhead = builder.refreshAhead;
		this.rejectionCooldown = builder.rejectionCooldown;
		this.maxWait = builder.maxWait;
		this.autoRefresh = builder.autoRefresh;
		this.clock = builder.clock;
	}

	/**
	 * Start building a manager for the named client.
	 * @param clientName the client name
	 * @param source where the client's tokens come from
	 * @return a builder
	 */
	public static Builder builder(String clientName, TokenSource source) {
		return new Builder(clientName, source);
	}

	/**
	 * Return a token that is good to use now: the stored one while it is fresh, else a new one.
	 * @return the token
	 */
	public Mono<Token> getToken() {
		return this.store.get(this.key).flatMap(this::useOrRenew).switchIfEmpty(Mono.defer(this::renewEmpty));
	}

	private Mono<Token> useOrRenew(Token token) {
		if (!this.autoRefresh) {
			return token.isExpired(now()) ? Mono.error(new TokenExpiredException(this.clientName, "the token expired"))
					: Mono.just(token);
		}
		return switch (freshness(token, now())) {
			case FRESH -> Mono.just(token);
			case REFRESH_AHEAD -> {
				refreshInBackground(token);
				yield Mono.just(token);
			}
			case STALE -> renew(token);
		};
	}

	private Mono<Token> renewEmpty() {
		if (!this.autoRefresh) {
			return Mono.error(new TokenExpiredException(this.clientName, "no token is held"));
		}
		return renew(null);
	}

	/**
	 * Return a token to retry with after the resource server answered 401 to {@code rejected}. When another
	 * caller already stored a newer token, that one is returned without a call; otherwise {@code rejected} is
	 * removed from the store (only if it is still there) and a new token obtained.
	 * @param rejected the token the 401 answered
	 * @return the token to retry with
	 */
	public Mono<Token> getTokenAfterUnauthorized(Token rejected) {
		Assert.notNull(rejected, "'rejected' must not be null");
		if (!this.autoRefresh) {
			return this.store.removeIfSame(this.key, rejected)
				.then(Mono.error(new TokenExpiredException(this.clientName, "the token was rejected with 401")));
		}
		return this.store.get(this.key)
			.filter((stored) -> !stored.hasSameAccessToken(rejected) && freshness(stored, now()) != Freshness.STALE)
			.switchIfEmpty(Mono.defer(() -> this.store.removeIfSame(this.key, rejected).then(renew(rejected))));
	}

	/**
	 * Remove {@code rejected} from the store if it is still the stored token, without obtaining a new one.
	 * @param rejected the token a resource server refused
	 * @return whether it was removed
	 */
	public Mono<Boolean> invalidate(Token rejected) {
		Assert.notNull(rejected, "'rejected' must not be null");
		return this.store.removeIfSame(this.key, rejected);
	}

	/**
	 * Obtain a new token now, whatever the stored one's state, and store it. Joins a refresh already in flight.
	 * @return the new token
	 */
	public Mono<Token> refresh() {
		return Mono.defer(() -> {
			this.rejection = null;
			return this.store.get(this.key).flatMap(this::renew).switchIfEmpty(Mono.defer(() -> renew(null)));
		});
	}

	/**
	 * Remove the stored token, so that the next request obtains a new one.
	 * @return completion
	 */
	public Mono<Void> evict() {
		return this.store.remove(this.key);
	}

	/**
	 * Return the stored token without refreshing it.
	 * @return the stored token, or an empty {@code Mono}
	 */
	public Mono<Token> getStoredToken() {
		return this.store.get(this.key);
	}

	/**
	 * Return the client name.
	 * @return the client name
	 */
	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Return the store key of this client's token.
	 * @return the key
	 */
	public String getKey() {
		return this.key;
	}

	/**
	 * Return whether a refresh is in flight in this process.
	 * @return whether a refresh is running
	 */
	public boolean isRefreshing() {
		return this.refreshes.isRunning(this.key);
	}

	private void refreshInBackground(Token token) {
		// Once per token: a server that keeps handing out the same expiry must not cause a refresh per request.
		if (this.refreshedAhead == token) {
			return;
		}
		this.refreshedAhead = token;
		renew(token).subscribe(null, (ex) -> logger.debug(
				"Background refresh for client '" + this.clientName + "' failed; the current token is still used",
				ex));
	}

	private Mono<Token> renew(@Nullable Token replaced) {
		return this.refreshes.run(this.key, () -> this.store
			.refreshExclusively(this.key, Mono.defer(() -> refreshUnlessDone(replaced)))
			.timeout(this.maxWait)
			.onErrorMap(TimeoutException.class, (ex) -> TokenAcquisitionException.failed(this.clientName, null,
					null, "no token within " + this.maxWait, null)));
	}

	/**
	 * Re-read the store first: another caller (or, with a shared store, another process) may have stored a fresh
	 * token since this refresh was decided on.
	 */
	private Mono<Token> refreshUnlessDone(@Nullable Token replaced) {
		return this.store.get(this.key)
			.flatMap((stored) -> isFreshReplacement(stored, replaced) ? Mono.just(stored) : obtainAndStore(stored))
			.switchIfEmpty(Mono.defer(() -> obtainAndStore(replaced)));
	}

	private boolean isFreshReplacement(Token stored, @Nullable Token replaced) {
		return !stored.hasSameAccessToken(replaced) && freshness(stored, now()) == Freshness.FRESH;
	}

	private Mono<Token> obtainAndStore(@Nullable Token current) {
		Rejection remembered = this.rejection;
		if (remembered != null && now().isBefore(remembered.until())) {
			return Mono.error(remembered.exception().copy());
		}
		return obtain(current).flatMap((token) -> this.store.put(this.key, token))
			.doOnNext(this::refreshed)
			.doOnError(TokenAcquisitionException.class, this::failed);
	}

	private Mono<Token> obtain(@Nullable Token current) {
		if (current == null || current.getRefreshToken() == null || isRefreshTokenExpired(current)) {
			return this.source.acquire();
		}
		return this.source.refresh(current)
			.map((token) -> keepRefreshToken(token, current))
			.onErrorResume(TokenManager::isRejection,
					(ex) -> afterRefreshRejected(current, (TokenAcquisitionException) ex));
	}

	/**
	 * With a shared store, a rotated refresh token is rejected when another process used it first (a lease that
	 * ran out, a lost notification): that process stored the new token, so read the store before logging in,
	 * which strict servers would answer by revoking the whole token family.
	 */
	private Mono<Token> afterRefreshRejected(Token current, TokenAcquisitionException ex) {
		return this.store.get(this.key)
			.filter((stored) -> isFreshReplacement(stored, current))
			.switchIfEmpty(Mono.defer(() -> {
				logger.warn("Refresh token of client '" + this.clientName + "' was rejected (" + ex.getErrorCode()
						+ "); falling back to a full login");
				return this.source.acquire();
			}));
	}

	private boolean isRefreshTokenExpired(Token token) {
		Instant expiresAt = token.getRefreshTokenExpiresAt();
		return expiresAt != null && !now().isBefore(expiresAt);
	}

	// RFC 6749 §6: the server may omit a new refresh token; the old one then stays valid.
	private static Token keepRefreshToken(Token token, Token current) {
		if (token.getRefreshToken() != null) {
			return token;
		}
		return token.mutate()
			.refreshToken(current.getRefreshToken())
			.refreshTokenExpiresAt(current.getRefreshTokenExpiresAt())
			.build();
	}

	private static boolean isRejection(Throwable ex) {
		return ex instanceof TokenAcquisitionException acquisition && acquisition.isRejected();
	}

	private void refreshed(Token token) {
		this.rejection = null;
		if (logger.isInfoEnabled()) {
			logger.info("Obtained token for client '" + this.clientName + "', expires at "
					+ ((token.getExpiresAt() != null) ? token.getExpiresAt() : "(unknown)"));
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Token for client '" + this.clientName + "': " + token);
		}
	}

	private void failed(TokenAcquisitionException ex) {
		if (!ex.isRejected()) {
			logger.warn(ex.getMessage());
			return;
		}
		boolean newEpisode = this.rejection == null;
		this.rejection = new Rejection(ex, now().plus(this.rejectionCooldown));
		if (newEpisode) {
			logger.error(ex.getMessage() + "; requests fail without calling the token endpoint for "
					+ this.rejectionCooldown + " after each rejection");
		}
	}

	Freshness freshness(Token token, Instant now) {
		Instant expiresAt = token.getExpiresAt();
		Duration lifetime = token.getLifetime();
		if (expiresAt == null || lifetime == null) {
			return Freshness.FRESH;
		}
		// A window wider than a short-lived token would refresh it on every request (Spring Security 14943).
		Duration before = min(this.refreshBeforeExpiry, lifetime.dividedBy(2));
		if (!now.isBefore(expiresAt.minus(before))) {
			return Freshness.STALE;
		}
		if (!this.refreshAhead.isZero()) {
			Duration ahead = min(this.refreshAhead, lifetime.multipliedBy(3).dividedBy(4));
			if (!now.isBefore(expiresAt.minus(ahead))) {
				return Freshness.REFRESH_AHEAD;
			}
		}
		return Freshness.FRESH;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private Instant now() {
		return this.clock.instant();
	}

	@Override
	public String toString() {
		return "TokenManager[client=" + this.clientName + ", key=" + this.key + ", store=" + this.store + "]";
	}

	enum Freshness {

		/** Good to use. */
		FRESH,

		/** Good to use while a background refresh replaces it. */
		REFRESH_AHEAD,

		/** Must be replaced before use. */
		STALE

	}

	private record Rejection(TokenAcquisitionException exception, Instant until) {
	}

	/**
	 * Builds a {@link TokenManager}.
	 */
	public static final class Builder {

		private final String clientName;

		private final TokenSource source;

		private TokenStore store = new InMemoryTokenStore();

		private String keyPrefix = "token-refresh:";

		private Duration refreshBeforeExpiry = Duration.ofSeconds(60);

		private Duration refreshAhead = Duration.ZERO;

		private Duration rejectionCooldown = Duration.ofSeconds(5);

		private Duration maxWait = Duration.ofMinutes(1);

		private boolean autoRefresh = true;

		private Clock clock = Clock.systemUTC();

		private Builder(String clientName, TokenSource source) {
			Assert.hasText(clientName, "'clientName' must not be empty");
			Assert.notNull(source, "'source' must not be null");
			this.clientName = clientName;
			this.source = source;
		}

		/**
		 * Set the store; an {@link InMemoryTokenStore} of its own by default.
		 * @param store the store
		 * @return this builder
		 */
		public Builder store(TokenStore store) {
			Assert.notNull(store, "'store' must not be null");
			this.store = store;
			return this;
		}

		/**
		 * Set the prefix of the store key; {@code token-refresh:} by default.
		 * @param keyPrefix the prefix
		 * @return this builder
		 */
		public Builder keyPrefix(String keyPrefix) {
			Assert.notNull(keyPrefix, "'keyPrefix' must not be null");
			this.keyPrefix = keyPrefix;
			return this;
		}

		/**
		 * Set how long before expiry a token is replaced before use; 60 seconds by default. Capped at half the
		 * token's lifetime.
		 * @param refreshBeforeExpiry the window
		 * @return this builder
		 */
		public Builder refreshBeforeExpiry(Duration refreshBeforeExpiry) {
			this.refreshBeforeExpiry = nonNegative(refreshBeforeExpiry, "refreshBeforeExpiry");
			return this;
		}

		/**
		 * Set how long before expiry a background refresh starts while the current token is still used; zero
		 * (off) by default. Capped at three quarters of the token's lifetime.
		 * @param refreshAhead the window
		 * @return this builder
		 */
		public Builder refreshAhead(Duration refreshAhead) {
			this.refreshAhead = nonNegative(refreshAhead, "refreshAhead");
			return this;
		}

		/**
		 * Set how long a rejection is remembered; 5 seconds by default.
		 * @param rejectionCooldown the cooldown
		 * @return this builder
		 */
		public Builder rejectionCooldown(Duration rejectionCooldown) {
			this.rejectionCooldown = nonNegative(rejectionCooldown, "rejectionCooldown");
			return this;
		}

		/**
		 * Set the longest a refresh may take in all, retries and coordination included; one minute by default.
		 * @param maxWait the budget
		 * @return this builder
		 */
		public Builder maxWait(Duration maxWait) {
			Assert.isTrue(maxWait != null && !maxWait.isNegative() && !maxWait.isZero(), "'maxWait' must be positive");
			this.maxWait = maxWait;
			return this;
		}

		/**
		 * Set whether tokens are obtained and refreshed on demand; {@code true} by default. When {@code false}
		 * the stored token is used until it expires and only {@link TokenManager#refresh()} obtains a new one.
		 * @param autoRefresh whether to refresh on demand
		 * @return this builder
		 */
		public Builder autoRefresh(boolean autoRefresh) {
			this.autoRefresh = autoRefresh;
			return this;
		}

		/**
		 * Set the clock that decides expiry; the system UTC clock by default.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			Assert.notNull(clock, "'clock' must not be null");
			this.clock = clock;
			return this;
		}

		public TokenManager build() {
			return new TokenManager(this);
		}

		private static Duration nonNegative(Duration duration, String name) {
			Assert.isTrue(duration != null && !duration.isNegative(), "'" + name + "' must not be negative");
			return duration;
		}

	}

}
