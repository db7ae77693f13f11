package io.github.tokenrefresh.core;

import java.time.Duration;
import java.time.Instant;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Remembers a client's last rejection for the rejection cooldown, so that a storm of requests does not become a
 * storm of logins with credentials the token endpoint just refused.
 */
final class RejectionMemory {

	private static final Log logger = LogFactory.getLog(TokenManager.class);

	private final Duration cooldown;

	private volatile @Nullable Rejection rejection;

	RejectionMemory(Duration cooldown) {
		this.cooldown = cooldown;
	}

	/**
	 * Return a copy of the remembered rejection while its cooldown runs, or {@code null}.
	 */
	@Nullable TokenAcquisitionException active(Instant now) {
		Rejection remembered = this.rejection;
		return (remembered != null && now.isBefore(remembered.until())) ? remembered.exception().copy() : null;
	}

	void remember(TokenAcquisitionException ex, Instant now) {
		if (!ex.isRejected()) {
			logger.warn(ex.getMessage());
			return;
		}
		boolean newEpisode = this.rejection == null;
		this.rejection = new Rejection(ex, now.plus(this.cooldown));
		if (newEpisode) {
			logger.error(ex.getMessage() + "; requests fail without calling the token endpoint for " + this.cooldown
					+ " after each rejection");
		}
	}

	void clear() {
		this.rejection = null;
	}

	private record Rejection(TokenAcquisitionException exception, Instant until) {
	}

}
