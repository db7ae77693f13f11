package io.github.tokenrefresh.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.NestedExceptionUtils;

/**
 * Whether Redis answers, as a small circuit breaker: after a failed command the store stops sending commands
 * and lets one through per {@code probeInterval} to find out whether Redis is back. Logs one WARN when an outage
 * starts and one INFO when it ends, however many requests run in between.
 */
final class Availability {

	private static final Log logger = LogFactory.getLog(RedisTokenStore.class);

	private final AtomicBoolean available = new AtomicBoolean(true);

	private final AtomicReference<Instant> nextProbe = new AtomicReference<>(Instant.MIN);

	private final Duration probeInterval;

	private final Clock clock;

	private final Runnable onRecovery;

	Availability(Duration probeInterval, Clock clock, Runnable onRecovery) {
		this.probeInterval = probeInterval;
		this.clock = clock;
		this.onRecovery = onRecovery;
	}

	boolean isAvailable() {
		return this.available.get();
	}

	/**
	 * Return whether a command should be sent now: always while Redis answers, once per probe interval while it
	 * does not.
	 */
	boolean shouldTry() {
		if (this.available.get()) {
			return true;
		}
		Instant probe = this.nextProbe.get();
		Instant now = this.clock.instant();
		return !now.isBefore(probe) && this.nextProbe.compareAndSet(probe, now.plus(this.probeInterval));
	}

	void answered() {
		if (!this.available.get() && this.available.compareAndSet(false, true)) {
			logger.info("Redis token store is reachable again; tokens are shared through Redis again");
			this.onRecovery.run();
		}
	}

	void failed(Throwable ex) {
		this.nextProbe.set(this.clock.instant().plus(this.probeInterval));
		if (this.available.compareAndSet(true, false)) {
			logger.warn("Redis token store is unreachable (" + describe(ex) + "); each instance serves its "
					+ "in-memory tokens and refreshes on its own until Redis answers again");
		}
	}

	private static String describe(Throwable ex) {
		if (ex instanceof TimeoutException) {
			return "no answer within the command timeout";
		}
		// Exception messages of Redis clients name the server and the failure, never a stored value.
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		return cause.getClass().getSimpleName() + ": " + cause.getMessage();
	}

}
