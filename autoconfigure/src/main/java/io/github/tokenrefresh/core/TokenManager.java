package io.github.tokenrefresh.core;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.observation.ObservationRegistry;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.FreshnessWindows.Freshness;
import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import org.springframework.util.Assert;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

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

	/**
	 * Name of the observation around each call to the token source; with Micrometer it is also the name of the
	 * timer, tagged {@code client}, {@code kind} ({@code acquire} / {@code refresh}) and {@code outcome}
	 * ({@code success} / {@code rejected} / {@code error}).
	 */
	public static final String OBSERVATION_NAME = "token.refresh.acquisitions";

	private final String clientName;

	private final String key;

	private final TokenSource source;

	private final TokenStore store;

	private final Duration refreshBeforeExpiry;

	private final Duration refreshAhead;

	private final Duration maxWait;

	private final Duration backgroundRetryBackoff;

	private final boolean autoRefresh;

	private final Clock clock;

	private final TokenRefreshListener listener;

	private final ObservedAcquisition acquisition;

	private final RejectionMemory rejections;

	private final UnauthorizedBound unauthorized;

	private final SingleFlight<String, Token> refreshes = new SingleFlight<>();

	private volatile @Nullable Token lastSeen;

	private volatile @Nullable Windows windows;

	/**
	 * One cold Mono serves every caller: {@link #getToken()} allocates nothing until it is subscribed.
	 */
	private final Mono<Token> currentToken = Mono.defer(this::currentToken);

	private final Mono<Token> renewEmpty = Mono.defer(this::renewEmpty);

	private volatile @Nullable Token refreshedAhead;

	private volatile @Nullable Token lastAccepted;

	/**
	 * A token obtained while the store refused to keep it: served from memory rather than dropped with the
	 * refresh token it may carry.
	 */
	private volatile @Nullable Token unstored;

	private final AtomicBoolean storeFailureLogged = new AtomicBoolean();

	private TokenManager(Builder builder) {
		this.clientName = builder.clientName;
		this.key = builder.keyPrefix + builder.clientName;
		this.source = builder.source;
		this.store = builder.store;
		this.refreshBeforeExpiry = builder.refreshBeforeExpiry;
		this.refreshAhead = builder.refreshAhead;
		this.maxWait = builder.maxWait;
		this.backgroundRetryBackoff = builder.backgroundRetryBackoff;
		this.autoRefresh = builder.autoRefresh;
		this.clock = builder.clock;
		this.listener = composite(List.copyOf(builder.listeners));
		this.acquisition = new ObservedAcquisition(this.clientName, this.clock, this.listener,
				builder.observationRegistry);
		this.rejections = new RejectionMemory(builder.rejectionCooldown);
		this.unauthorized = new UnauthorizedBound(this.clientName, builder.unauthorizedRefreshInterval);
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
		return this.currentToken;
	}

	private Mono<Token> currentToken() {
		Token unstored = this.unstored;
		if (unstored != null) {
			return useOrRenew(unstored);
		}
		// Fast path: a token held in memory needs no store call, and a stale one goes straight to the single
		// flight, so that a crowd of requests at expiry does not read the store once each.
		Token cached = this.store.getIfCached(this.key);
		if (cached != null) {
			return useOrRenew(cached);
		}
		return this.store.get(this.key).flatMap(this::useOrRenew).switchIfEmpty(this.renewEmpty);
	}

	private Mono<Token> useOrRenew(Token token) {
		if (this.lastSeen != token) {
			this.lastSeen = token;
		}
		if (!this.autoRefresh) {
			return token.isExpired(now()) ? Mono.error(new TokenExpiredException(this.clientName, "the token expired"))
					: Mono.just(token);
		}
		return switch (freshness(token)) {
			case FRESH -> Mono.just(token);
			case REFRESH_AHEAD -> {
				refreshInBackground(token);
				yield Mono.just(token);
			}
			case STALE -> servableDuringRefresh(token) ? Mono.just(token) : waitFor(token);
		};
	}

	/**
	 * A refresh already runs (with a shared store it may be waiting for another process's, however long the token
	 * endpoint takes): a token that has not expired yet is still good to use meanwhile.
	 */
	private boolean servableDuringRefresh(Token token) {
		return this.refreshes.isRunning(this.key) && token.getExpiresAt() != null && !token.isExpired(now());
	}

	private Mono<Token> renewEmpty() {
		if (!this.autoRefresh) {
			return Mono.error(new TokenExpiredException(this.clientName, "no token is held"));
		}
		return waitFor(null);
	}

	private Mono<Token> waitFor(@Nullable Token replaced) {
		this.listener.waitedForRefresh(this.clientName);
		return renew(replaced);
	}

	/**
	 * Return a token to retry with after the resource server answered 401 to {@code rejected}; see
	 * {@link #getTokenAfterUnauthorized(Token, URI)}.
	 * @param rejected the token the 401 answered
	 * @return the token to retry with, or {@code rejected} itself when the 401 is to be returned as it is
	 */
	public Mono<Token> getTokenAfterUnauthorized(Token rejected) {
		return getTokenAfterUnauthorized(rejected, null);
	}

	/**
	 * Return a token to retry with after the resource server answered 401 to {@code rejected}. When another
	 * caller already stored a newer token, that one is returned without a call. Otherwise {@code rejected} is
	 * removed from the store (only if it is still there) and a new token obtained, at most once per
	 * {@linkplain Builder#unauthorizedRefreshInterval(Duration) unauthorized refresh interval}: within it,
	 * {@code rejected} itself is returned and kept, and the caller returns the 401 as it is rather than retry.
	 * @param rejected the token the 401 answered
	 * @param url where the request went, named (scheme, host and port only) in the WARN about 401s a new token
	 * did not fix; may be {@code null}
	 * @return the token to retry with, or {@code rejected} itself when the 401 is to be returned as it is
	 */
	public Mono<Token> getTokenAfterUnauthorized(Token rejected, @Nullable URI url) {
		Assert.notNull(rejected, "'rejected' must not be null");
		if (!this.autoRefresh) {
			return this.store.removeIfSame(this.key, rejected)
				.then(Mono.error(new TokenExpiredException(this.clientName, "the token was rejected with 401")));
		}
		return Mono.defer(() -> this.store.get(this.key)
			.filter((stored) -> !stored.hasSameAccessToken(rejected) && freshness(stored) != Freshness.STALE)
			.switchIfEmpty(Mono.defer(() -> replaceRejected(rejected, url))));
	}

	private Mono<Token> replaceRejected(Token rejected, @Nullable URI url) {
		// A token due for replacement anyway is replaced outside the bound: that costs one call per lifetime, not
		// one per request, and a 401 for a token that expired on its way (a loaded machine) is not the storm.
		// So is a token the resource server accepted before: it was in use, so the 401 (a revocation) is news
		// that a new token answers, not the storm of an API that refuses every token.
		boolean due = freshness(rejected) == Freshness.STALE || wasAccepted(rejected);
		if (!this.unauthorized.tryReplace(millis(), rejected, due)) {
			keptAfterUnauthorized(url);
			return Mono.just(rejected);
		}
		this.listener.unauthorizedRetried(this.clientName);
		return forget(rejected).then(renew(rejected));
	}

	private void keptAfterUnauthorized(@Nullable URI url) {
		this.listener.unauthorizedUnresolved(this.clientName);
		this.unauthorized.refused(millis(), url);
	}

	/**
	 * Remove {@code rejected} from the store if it is still the stored token, without obtaining a new one. Bound
	 * like the replacements of {@link #getTokenAfterUnauthorized(Token, URI)}: within the interval the token is
	 * kept, so that requests that cannot be retried do not evict it (fleet-wide, with a shared store) one each.
	 * @param rejected the token a resource server refused
	 * @return whether it was removed
	 */
	public Mono<Boolean> invalidate(Token rejected) {
		Assert.notNull(rejected, "'rejected' must not be null");
		return Mono.defer(() -> {
			if (!this.unauthorized.tryReplace(millis(), rejected, wasAccepted(rejected))) {
				keptAfterUnauthorized(null);
				return Mono.just(false);
			}
			return forget(rejected);
		});
	}

	/**
	 * Note that a resource server accepted {@code token} (answered anything but 401 to a request that carried it).
	 * A 401 for a token that was accepted before replaces it at once, outside the bound on replacements caused by
	 * 401s; the filter and interceptors call this for every such response.
	 * @param token the token the resource server accepted
	 */
	public void accepted(Token token) {
		if (this.lastAccepted != token) {
			this.lastAccepted = token;
		}
	}

	private boolean wasAccepted(Token rejected) {
		Token accepted = this.lastAccepted;
		return accepted != null && accepted.hasSameAccessToken(rejected);
	}

	private Mono<Boolean> forget(Token rejected) {
		Token unstored = this.unstored;
		if (unstored != null && unstored.hasSameAccessToken(rejected)) {
			this.unstored = null;
		}
		return this.store.removeIfSame(this.key, rejected);
	}

	/**
	 * Obtain a new token now, whatever the stored one's state, and store it. Joins a refresh already in flight.
	 * @return the new token
	 */
	public Mono<Token> refresh() {
		return Mono.defer(() -> {
			this.rejections.clear();
			return this.store.get(this.key).flatMap(this::renew).switchIfEmpty(Mono.defer(() -> renew(null)));
		});
	}

	/**
	 * Remove the stored token, so that the next request obtains a new one.
	 * @return completion
	 */
	public Mono<Void> evict() {
		return Mono.defer(() -> {
			this.unstored = null;
			return this.store.remove(this.key);
		});
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
	 * Return what this manager last did; holds no secret.
	 * @return the status
	 */
	public TokenStatus getStatus() {
		TokenStatus current = this.acquisition.status();
		Token seen = this.lastSeen;
		return (seen != null && seen.getExpiresAt() != null && !seen.getExpiresAt().equals(current.expiresAt()))
				? new TokenStatus(current.clientName(), current.lastAttemptAt(), current.lastOutcome(),
						current.lastSuccessAt(), current.refreshCount(), seen.getExpiresAt(), current.lastErrorStatus(),
						current.lastErrorCode(), current.lastErrorMessage())
				: current;
	}

	/**
	 * Return whether tokens are obtained and refreshed on demand (automatic mode).
	 * @return whether automatic refresh is on
	 */
	public boolean isAutoRefresh() {
		return this.autoRefresh;
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
		// Tried again while the token is still usable: callers would otherwise block at expiry, which is what
		// refreshing ahead exists to avoid. A rejection is not tried again; the cooldown answers the next one.
		renew(token)
			.retryWhen(Retry.backoff(Long.MAX_VALUE, this.backgroundRetryBackoff)
				.maxBackoff(this.backgroundRetryBackoff.multipliedBy(30))
				.filter((ex) -> !ObservedAcquisition.isRejection(ex) && freshness(token) != Freshness.STALE))
			.subscribe(null, (ex) -> logger.debug("Background refresh for client '" + this.clientName
					+ "' failed; the current token is used until it is due", Exceptions.unwrap(ex)));
	}

	private Mono<Token> renew(@Nullable Token replaced) {
		return Mono.defer(() -> {
			// Before any coordination: during the cooldown a wave of requests must not take the fleet lease
			// (or wait for it) only to fail.
			TokenAcquisitionException rejected = this.rejections.active(now());
			if (rejected != null) {
				return Mono.error(rejected);
			}
			return this.refreshes.run(this.key, () -> this.store
				.refreshExclusively(this.key, Mono.defer(() -> refreshUnlessDone(replaced)))
				.timeout(this.maxWait)
				.onErrorMap(TimeoutException.class, (ex) -> TokenAcquisitionException.failed(this.clientName, null,
						null, "no token within " + this.maxWait, null)));
		});
	}

	/**
	 * Re-read the store first: another caller (or, with a shared store, another process) may have stored a fresh
	 * token since this refresh was decided on.
	 */
	private Mono<Token> refreshUnlessDone(@Nullable Token replaced) {
		return this.store.get(this.key)
			.flatMap((stored) -> isFreshReplacement(stored, replaced) ? Mono.just(stored) : obtainAndStore(stored))
			.switchIfEmpty(Mono.defer(() -> obtainAndStore((this.unstored != null) ? this.unstored : replaced)));
	}

	private boolean isFreshReplacement(Token stored, @Nullable Token replaced) {
		return !stored.hasSameAccessToken(replaced) && freshness(stored) == Freshness.FRESH;
	}

	private Mono<Token> obtainAndStore(@Nullable Token current) {
		TokenAcquisitionException rejected = this.rejections.active(now());
		if (rejected != null) {
			return Mono.error(rejected);
		}
		return obtain(current).flatMap((token) -> store(current, token))
			.doOnNext((token) -> this.rejections.clear())
			.doOnError(TokenAcquisitionException.class, (ex) -> this.rejections.remember(ex, now()));
	}

	private Mono<Token> store(@Nullable Token current, Token token) {
		return this.store.replace(this.key, current, token).doOnNext((stored) -> this.unstored = null)
			.onErrorResume((ex) -> {
				// Dropping the token would drop a rotated refresh token with it, and cost a token call per request
				// for as long as the store fails: serve it from memory instead.
				if (this.storeFailureLogged.compareAndSet(false, true)) {
					logger.warn("Could not store the token of client '" + this.clientName + "' ("
							+ ex.getClass().getSimpleName()
							+ "); serving it from memory until the store takes one");
				}
				else {
					logger.debug("Store still failing for client '" + this.clientName + "'", ex);
				}
				this.unstored = token;
				this.lastSeen = token;
				return Mono.just(token);
			});
	}

	private Mono<Token> obtain(@Nullable Token current) {
		if (current == null || current.getRefreshToken() == null || isRefreshTokenExpired(current)) {
			return this.acquisition.call(AcquisitionKind.ACQUIRE, this.source::acquire).doOnNext(this::obtained);
		}
		return this.acquisition.call(AcquisitionKind.REFRESH, () -> this.source.refresh(current))
			.map((token) -> keepRefreshToken(token, current))
			.onErrorResume(ObservedAcquisition::isRejection,
					(ex) -> afterRefreshRejected(current, (TokenAcquisitionException) ex))
			.onErrorResume(TokenManager::isOutcomeUnknown,
					(ex) -> afterRefreshLost(current, (TokenAcquisitionException) ex))
			.doOnNext(this::obtained);
	}

	private void obtained(Token token) {
		this.lastSeen = token;
	}

	/**
	 * The refresh's answer was lost (a timeout, a connection reset, a 502 or 504), but the server may have rotated
	 * the refresh token on receipt: presenting it again would look like a reuse, which strict servers answer by
	 * revoking the whole token family. Another process may have stored the result (or its own), so read the store;
	 * otherwise start a new family with a full login.
	 */
	private Mono<Token> afterRefreshLost(Token current, TokenAcquisitionException ex) {
		return this.store.get(this.key)
			.filter((stored) -> isFreshReplacement(stored, current))
			.switchIfEmpty(Mono.defer(() -> {
				logger.warn(ex.getMessage() + "; the refresh token may have been spent, so client '" + this.clientName
						+ "' logs in again instead of presenting it twice");
				return this.acquisition.call(AcquisitionKind.ACQUIRE, this.source::acquire);
			}));
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
				return this.acquisition.call(AcquisitionKind.ACQUIRE, this.source::acquire);
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

	private static boolean isOutcomeUnknown(Throwable ex) {
		return ex instanceof TokenAcquisitionException acquisition && acquisition.isOutcomeUnknown();
	}

	private Freshness freshness(Token token) {
		Windows windows = this.windows;
		if (windows == null || windows.token() != token) {
			windows = new Windows(token, FreshnessWindows.of(token, this.refreshBeforeExpiry, this.refreshAhead));
			this.windows = windows;
		}
		return windows.windows().at(millis());
	}

	private Instant now() {
		return this.clock.instant();
	}

	private long millis() {
		return this.clock.millis();
	}

	@Override
	public String toString() {
		return "TokenManager[client=" + this.clientName + ", key=" + this.key + ", store=" + this.store + "]";
	}

	/**
	 * The windows of the token last asked about: most requests ask about the same token.
	 */
	private record Windows(Token token, FreshnessWindows windows) {

		@Override
		public String toString() {
			return "Windows[" + this.windows + "]";
		}

	}

	private static TokenRefreshListener composite(List<TokenRefreshListener> listeners) {
		if (listeners.isEmpty()) {
			return new TokenRefreshListener() {
			};
		}
		if (listeners.size() == 1) {
			return listeners.get(0);
		}
		return new TokenRefreshListener() {

			@Override
			public void tokenObtained(String clientName, AcquisitionKind kind, Token token, Duration duration) {
				listeners.forEach((listener) -> listener.tokenObtained(clientName, kind, token, duration));
			}

			@Override
			public void acquisitionFailed(String clientName, AcquisitionKind kind, Throwable error,
					Duration duration) {
				listeners.forEach((listener) -> listener.acquisitionFailed(clientName, kind, error, duration));
			}

			@Override
			public void unauthorizedRetried(String clientName) {
				listeners.forEach((listener) -> listener.unauthorizedRetried(clientName));
			}

			@Override
			public void unauthorizedUnresolved(String clientName) {
				listeners.forEach((listener) -> listener.unauthorizedUnresolved(clientName));
			}

			@Override
			public void waitedForRefresh(String clientName) {
				listeners.forEach((listener) -> listener.waitedForRefresh(clientName));
			}

		};
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

		private Duration unauthorizedRefreshInterval = Duration.ofSeconds(5);

		private Duration backgroundRetryBackoff = Duration.ofSeconds(1);

		private Clock clock = Clock.systemUTC();

		private final List<TokenRefreshListener> listeners = new ArrayList<>();

		private ObservationRegistry observationRegistry = ObservationRegistry.NOOP;

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

		/**
		 * Add a listener told of every acquisition, failure, 401 retry and wait.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(TokenRefreshListener listener) {
			Assert.notNull(listener, "'listener' must not be null");
			this.listeners.add(listener);
			return this;
		}

		/**
		 * Set the registry for the {@value TokenManager#OBSERVATION_NAME} observations; none by default.
		 * @param observationRegistry the registry
		 * @return this builder
		 */
		public Builder observationRegistry(ObservationRegistry observationRegistry) {
			Assert.notNull(observationRegistry, "'observationRegistry' must not be null");
			this.observationRegistry = observationRegistry;
			return this;
		}

		/**
		 * Set how often a 401 may replace the token: a 401 within this interval of the last replacement a 401
		 * caused is returned to the caller with the token kept; 5 seconds by default, zero for no bound.
		 * @param unauthorizedRefreshInterval the interval
		 * @return this builder
		 */
		public Builder unauthorizedRefreshInterval(Duration unauthorizedRefreshInterval) {
			this.unauthorizedRefreshInterval = nonNegative(unauthorizedRefreshInterval, "unauthorizedRefreshInterval");
			return this;
		}

		/**
		 * Set the first delay before a failed background refresh is tried again; one second by default.
		 */
		Builder backgroundRetryBackoff(Duration backgroundRetryBackoff) {
			Assert.isTrue(backgroundRetryBackoff != null && backgroundRetryBackoff.compareTo(Duration.ZERO) > 0,
					"'backgroundRetryBackoff' must be positive");
			this.backgroundRetryBackoff = backgroundRetryBackoff;
			return this;
		}

		public TokenManager build() {
			return new TokenManager(this);
		}

		@Override
		public String toString() {
			return "TokenManager.Builder[client=" + this.clientName + ", store=" + this.store + "]";
		}

		private static Duration nonNegative(Duration duration, String name) {
			Assert.isTrue(duration != null && !duration.isNegative(), "'" + name + "' must not be negative");
			return duration;
		}

	}

}
