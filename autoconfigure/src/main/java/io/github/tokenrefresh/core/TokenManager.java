package io.github.tokenrefresh.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import io.github.tokenrefresh.core.TokenStatus.Outcome;
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

	private final Duration rejectionCooldown;

	private final Duration maxWait;

	private final boolean autoRefresh;

	private final Clock clock;

	private final TokenRefreshListener listener;

	private final ObservationRegistry observationRegistry;

	private final SingleFlight<String, Token> refreshes = new SingleFlight<>();

	private final AtomicReference<TokenStatus> status;

	private volatile @Nullable Token lastSeen;

	private volatile @Nullable Thresholds thresholds;

	/**
	 * One cold Mono serves every caller: {@link #getToken()} allocates nothing until it is subscribed.
	 */
	private final Mono<Token> currentToken = Mono.defer(this::currentToken);

	private final Mono<Token> renewEmpty = Mono.defer(this::renewEmpty);

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
		this.listener = composite(List.copyOf(builder.listeners));
		this.observationRegistry = builder.observationRegistry;
		this.status = new AtomicReference<>(
				new TokenStatus(this.clientName, null, null, null, 0, null, null, null, null));
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
		// Fast path: a token held in memory needs no store call, and a stale one goes straight to the single
		// flight, so that a crowd of requests at expiry does not read the store once each.
		Token cached = this.store.getIfCached(this.key);
		if (cached != null) {
			return useOrRenew(cached);
		}
		return this.store.get(this.key).flatMap(this::useOrRenew).switchIfEmpty(this.renewEmpty);
	}

	private void seen(Token token) {
		if (this.lastSeen != token) {
			this.lastSeen = token;
		}
	}

	private Mono<Token> useOrRenew(Token token) {
		seen(token);
		if (!this.autoRefresh) {
			return token.isExpired(now()) ? Mono.error(new TokenExpiredException(this.clientName, "the token expired"))
					: Mono.just(token);
		}
		return switch (freshness(token, millis())) {
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
		return Mono.defer(() -> {
			this.listener.unauthorizedRetried(this.clientName);
			return this.store.get(this.key)
				.filter((stored) -> !stored.hasSameAccessToken(rejected)
						&& freshness(stored, millis()) != Freshness.STALE)
				.switchIfEmpty(Mono.defer(() -> this.store.removeIfSame(this.key, rejected).then(renew(rejected))));
		});
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
	 * Return what this manager last did; holds no secret.
	 * @return the status
	 */
	public TokenStatus getStatus() {
		TokenStatus current = this.status.get();
		Token seen = this.lastSeen;
		return (seen != null && seen.getExpiresAt() != null && !seen.getExpiresAt().equals(current.expiresAt()))
				? new TokenStatus(current.clientName(), current.lastAttemptAt(), current.lastOutcome(),
						current.lastSuccessAt(), current.refreshCount(), seen.getExpiresAt(), current.lastErrorStatus(),
						current.lastErrorCode(), current.lastErrorMessage())
				: current;
	}

	/**
	 * Return the token last obtained or served by this manager, without reading the store.
	 * @return the token, or {@code null}
	 */
	public @Nullable Token getLastSeenToken() {
		return this.lastSeen;
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
		return !stored.hasSameAccessToken(replaced) && freshness(stored, millis()) == Freshness.FRESH;
	}

	private Mono<Token> obtainAndStore(@Nullable Token current) {
		Rejection remembered = this.rejection;
		if (remembered != null && now().isBefore(remembered.until())) {
			return Mono.error(remembered.exception().copy());
		}
		return obtain(current).flatMap((token) -> this.store.replace(this.key, current, token))
			.doOnNext((token) -> this.rejection = null)
			.doOnError(TokenAcquisitionException.class, this::remember);
	}

	private Mono<Token> obtain(@Nullable Token current) {
		if (current == null || current.getRefreshToken() == null || isRefreshTokenExpired(current)) {
			return call(AcquisitionKind.ACQUIRE, this.source::acquire);
		}
		return call(AcquisitionKind.REFRESH, () -> this.source.refresh(current))
			.map((token) -> keepRefreshToken(token, current))
			.onErrorResume(TokenManager::isRejection,
					(ex) -> afterRefreshRejected(current, (TokenAcquisitionException) ex))
			.onErrorResume(TokenManager::isOutcomeUnknown,
					(ex) -> afterRefreshLost(current, (TokenAcquisitionException) ex));
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
				return call(AcquisitionKind.ACQUIRE, this.source::acquire);
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
				return call(AcquisitionKind.ACQUIRE, this.source::acquire);
			}));
	}

	/**
	 * One call to the token source, observed: a timer with Micrometer, a parent for the token endpoint's HTTP
	 * observation, the status for health and the listeners for metrics and events.
	 */
	private Mono<Token> call(AcquisitionKind kind, Supplier<Mono<Token>> call) {
		return Mono.defer(() -> {
			long start = System.nanoTime();
			Instant attemptAt = now();
			Observation observation = Observation.createNotStarted(OBSERVATION_NAME, this.observationRegistry)
				.contextualName("token " + kind.tagValue())
				.lowCardinalityKeyValue("client", this.clientName)
				.lowCardinalityKeyValue("kind", kind.tagValue())
				.start();
			return call.get()
				.switchIfEmpty(Mono.error(() -> TokenAcquisitionException.failed(this.clientName, null, null,
						"the token source completed without a token", null)))
				.doOnNext((token) -> {
					observation.lowCardinalityKeyValue("outcome", Outcome.SUCCESS.tagValue()).stop();
					obtained(kind, token, attemptAt, Duration.ofNanos(System.nanoTime() - start));
				})
				.doOnError((ex) -> {
					Outcome outcome = isRejection(ex) ? Outcome.REJECTED : Outcome.ERROR;
					observation.lowCardinalityKeyValue("outcome", outcome.tagValue()).error(ex).stop();
					failed(kind, ex, outcome, attemptAt, Duration.ofNanos(System.nanoTime() - start));
				})
				.doOnCancel(observation::stop)
				.contextWrite((context) -> context.put(ObservationThreadLocalAccessor.KEY, observation));
		});
	}

	private void obtained(AcquisitionKind kind, Token token, Instant attemptAt, Duration duration) {
		this.lastSeen = token;
		update((s) -> new TokenStatus(s.clientName(), attemptAt, Outcome.SUCCESS, now(), s.refreshCount() + 1,
				token.getExpiresAt(), null, null, null));
		if (logger.isInfoEnabled()) {
			logger.info("Obtained token for client '" + this.clientName + "' (" + kind.tagValue() + ") in "
					+ duration.toMillis() + " ms, expires at "
					+ ((token.getExpiresAt() != null) ? token.getExpiresAt() : "(unknown)"));
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Token for client '" + this.clientName + "': " + token);
		}
		this.listener.tokenObtained(this.clientName, kind, token, duration);
	}

	private void failed(AcquisitionKind kind, Throwable ex, Outcome outcome, Instant attemptAt, Duration duration) {
		TokenAcquisitionException acquisition = (ex instanceof TokenAcquisitionException tae) ? tae : null;
		update((s) -> new TokenStatus(s.clientName(), attemptAt, outcome, s.lastSuccessAt(), s.refreshCount(),
				s.expiresAt(), (acquisition != null) ? acquisition.getStatus() : null,
				(acquisition != null) ? acquisition.getErrorCode() : null,
				(acquisition != null) ? acquisition.getMessage() : ex.getClass().getSimpleName()));
		this.listener.acquisitionFailed(this.clientName, kind, ex, duration);
	}

	private void update(UnaryOperator<TokenStatus> change) {
		this.status.updateAndGet(change);
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

	private static boolean isRejection(Throwable ex) {
		return ex instanceof TokenAcquisitionException acquisition && acquisition.isRejected();
	}

	private void remember(TokenAcquisitionException ex) {
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

	Freshness freshness(Token token, long millis) {
		Thresholds thresholds = thresholds(token);
		if (millis >= thresholds.staleAt()) {
			return Freshness.STALE;
		}
		return (millis >= thresholds.refreshAheadAt()) ? Freshness.REFRESH_AHEAD : Freshness.FRESH;
	}

	/**
	 * The instants at which a token enters the refresh windows, computed once per token rather than per request.
	 */
	private Thresholds thresholds(Token token) {
		Thresholds thresholds = this.thresholds;
		if (thresholds == null || thresholds.token() != token) {
			thresholds = Thresholds.of(token, this.refreshBeforeExpiry, this.refreshAhead);
			this.thresholds = thresholds;
		}
		return thresholds;
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
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

	private record Thresholds(Token token, long staleAt, long refreshAheadAt) {

		static Thresholds of(Token token, Duration refreshBeforeExpiry, Duration refreshAhead) {
			Instant expiresAt = token.getExpiresAt();
			Duration lifetime = token.getLifetime();
			if (expiresAt == null || lifetime == null) {
				return new Thresholds(token, Long.MAX_VALUE, Long.MAX_VALUE);
			}
			// A window wider than a short-lived token would refresh it on every request (Spring Security 14943).
			Duration before = min(refreshBeforeExpiry, lifetime.dividedBy(2));
			long staleAt = expiresAt.minus(before).toEpochMilli();
			long aheadAt = Long.MAX_VALUE;
			if (!refreshAhead.isZero()) {
				aheadAt = expiresAt.minus(min(refreshAhead, lifetime.multipliedBy(3).dividedBy(4))).toEpochMilli();
			}
			return new Thresholds(token, staleAt, aheadAt);
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

		public TokenManager build() {
			return new TokenManager(this);
		}

		private static Duration nonNegative(Duration duration, String name) {
			Assert.isTrue(duration != null && !duration.isNegative(), "'" + name + "' must not be negative");
			return duration;
		}

	}

}
