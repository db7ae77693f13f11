package io.github.tokenrefresh.metrics;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenRefreshListener;
import org.springframework.util.Assert;

/**
 * Micrometer meters of token-refresh, each tagged {@code client}:
 * <ul>
 * <li>{@value #RETRIES} (counter): requests answered 401 and retried with a new token;</li>
 * <li>{@value #WAITS} (counter): requests that waited for a refresh before they could be sent;</li>
 * <li>{@value #EXPIRY} (gauge, seconds): time left until the current token expires, negative once expired,
 * {@code NaN} when unknown.</li>
 * </ul>
 * The timer {@value TokenManager#OBSERVATION_NAME} (tags {@code client}, {@code kind}, {@code outcome}) comes from
 * the observation around each token call.
 */
public final class TokenRefreshMetrics implements TokenRefreshListener {

	/** Name of the 401 retry counter. */
	public static final String RETRIES = "token.refresh.unauthorized.retries";

	/** Name of the counter of 401s returned to callers with the token kept. */
	public static final String UNRESOLVED = "token.refresh.unauthorized.unresolved";

	/** Name of the counter of requests that waited for a refresh. */
	public static final String WAITS = "token.refresh.waits";

	/** Name of the gauge of seconds until expiry. */
	public static final String EXPIRY = "token.refresh.token.expiry";

	private final MeterRegistry registry;

	private final Clock clock;

	private final Map<String, Counter> retries = new ConcurrentHashMap<>();

	private final Map<String, Counter> waits = new ConcurrentHashMap<>();

	private final Map<String, Counter> unresolved = new ConcurrentHashMap<>();

	public TokenRefreshMetrics(MeterRegistry registry) {
		this(registry, Clock.systemUTC());
	}

	public TokenRefreshMetrics(MeterRegistry registry, Clock clock) {
		Assert.notNull(registry, "'registry' must not be null");
		Assert.notNull(clock, "'clock' must not be null");
		this.registry = registry;
		this.clock = clock;
	}

	/**
	 * Register the expiry gauge of a manager's client.
	 * @param manager the manager
	 */
	public void monitor(TokenManager manager) {
		Gauge.builder(EXPIRY, manager, this::secondsUntilExpiry)
			.tag("client", manager.getClientName())
			.baseUnit("seconds")
			.description("Time left until the client's current token expires")
			.register(this.registry);
	}

	private double secondsUntilExpiry(TokenManager manager) {
		Instant expiresAt = manager.getStatus().expiresAt();
		return (expiresAt != null) ? Duration.between(this.clock.instant(), expiresAt).toMillis() / 1000.0
				: Double.NaN;
	}

	@Override
	public void unauthorizedRetried(String clientName) {
		this.retries.computeIfAbsent(clientName, (name) -> Counter.builder(RETRIES)
			.tag("client", name)
			.description("Requests answered 401 and retried with a new token")
			.register(this.registry)).increment();
	}

	@Override
	public void unauthorizedUnresolved(String clientName) {
		this.unresolved.computeIfAbsent(clientName, (name) -> Counter.builder(UNRESOLVED)
			.tag("client", name)
			.description("Requests answered 401 and returned with the token kept: a 401 had already replaced it "
					+ "within the client's unauthorized refresh interval")
			.register(this.registry)).increment();
	}

	@Override
	public void waitedForRefresh(String clientName) {
		this.waits.computeIfAbsent(clientName, (name) -> Counter.builder(WAITS)
			.tag("client", name)
			.description("Requests that waited for a token refresh")
			.register(this.registry)).increment();
	}

}
