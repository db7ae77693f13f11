package io.github.tokenrefresh.core;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * At most one token replacement (or eviction) caused by a 401 per interval per client. A resource server that
 * answers 401 for a reason no token can fix (wrong audience, a clock skew on {@code nbf}, "not your resource")
 * would otherwise cost one token call per request, and with a shared store one fleet-wide eviction per request:
 * token endpoints rate limit, and some lock the client out.
 */
final class UnauthorizedBound {

	private static final Log logger = LogFactory.getLog(TokenManager.class);

	private final String clientName;

	private final long intervalMillis;

	private final AtomicReference<@Nullable Replacement> lastReplacement = new AtomicReference<>();

	private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);

	private final AtomicLong refusedSinceWarning = new AtomicLong();

	UnauthorizedBound(String clientName, Duration interval) {
		this.clientName = clientName;
		this.intervalMillis = interval.toMillis();
	}

	/**
	 * Take the interval's one replacement if it is still free, or join the replacement of the same token: a burst
	 * of 401s for one token leads to a single refresh that every request of the burst is retried with.
	 * @param outsideTheBound whether the token is to be replaced whatever the interval (it is due, or was in use)
	 * @return whether {@code rejected} may be replaced now
	 */
	boolean tryReplace(long nowMillis, Token rejected, boolean outsideTheBound) {
		while (true) {
			Replacement last = this.lastReplacement.get();
			if (last != null && !outsideTheBound) {
				if (last.rejected().hasSameAccessToken(rejected)) {
					return true;
				}
				if (nowMillis - last.atMillis() < this.intervalMillis) {
					return false;
				}
			}
			if (this.lastReplacement.compareAndSet(last, new Replacement(nowMillis, rejected))) {
				return true;
			}
		}
	}

	/**
	 * Note a 401 returned with the token kept; logs a WARN at most once per interval, with the count since the last.
	 */
	void refused(long nowMillis, @Nullable URI url) {
		long refused = this.refusedSinceWarning.incrementAndGet();
		long last = this.lastWarning.get();
		if ((last == Long.MIN_VALUE || nowMillis - last >= this.intervalMillis)
				&& this.lastWarning.compareAndSet(last, nowMillis)) {
			this.refusedSinceWarning.addAndGet(-refused);
			logger.warn("Requests of client '" + this.clientName + "'" + ((url != null) ? " to " + origin(url) : "")
					+ " were answered 401 again within " + Duration.ofMillis(this.intervalMillis)
					+ " of a token replaced after a 401; " + refused + " such 401(s) returned to callers with the "
					+ "token kept. A new token does not help: check the token's audience, scopes and the resource "
					+ "server's clock");
		}
	}

	/**
	 * Scheme, host and port: no user info, path or query, which may carry credentials.
	 */
	static String origin(URI url) {
		return url.getScheme() + "://" + url.getHost() + ((url.getPort() != -1) ? ":" + url.getPort() : "");
	}

	private record Replacement(long atMillis, Token rejected) {

		@Override
		public String toString() {
			return "Replacement[atMillis=" + this.atMillis + ", rejected=" + this.rejected + "]";
		}

	}

}
