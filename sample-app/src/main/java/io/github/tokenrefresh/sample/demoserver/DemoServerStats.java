package io.github.tokenrefresh.sample.demoserver;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the demo servers saw, counted on the server side so that the report does not take the client's word for
 * it: API requests, 401s sent, token-endpoint calls, and why each new token was asked for.
 */
public final class DemoServerStats {

	private final Map<Api, Counters> counters = new EnumMap<>(Api.class);

	DemoServerStats() {
		for (Api api : Api.values()) {
			this.counters.put(api, new Counters());
		}
	}

	/**
	 * Return the counts for one API so far.
	 * @param api the API
	 * @return the counts
	 */
	public Snapshot snapshot(Api api) {
		Counters c = counters(api);
		return new Snapshot(c.requests.sum(), c.unauthorized.sum(), c.revoked.sum(), c.tokenCalls.sum(),
				c.firstTokens.sum(), c.proactiveRefreshes.sum(), c.refreshesAfterUnauthorized.sum(),
				c.rejectedTokenCalls.sum());
	}

	Counters counters(Api api) {
		return this.counters.get(api);
	}

	/**
	 * The two protected APIs; each accepts only tokens issued for it.
	 */
	public enum Api {

		/** {@code /orders/**}, accepting tokens from the OAuth2 token endpoint. */
		ORDERS,

		/** {@code /profile/**}, accepting tokens from the JSON login API. */
		PROFILE

	}

	/**
	 * Counts for one API.
	 * @param requests API requests received
	 * @param unauthorized API requests answered 401 (unknown, expired or revoked token)
	 * @param revoked tokens revoked early by the API
	 * @param tokenCalls calls to the token endpoint (login, refresh or OAuth2 token), accepted or not
	 * @param firstTokens tokens issued to a caller that had none before
	 * @param proactiveRefreshes tokens issued while the caller's previous token had not been refused yet
	 * @param refreshesAfterUnauthorized tokens issued after the API refused the caller's previous token
	 * @param rejectedTokenCalls token-endpoint calls refused (bad credentials, reused refresh token)
	 */
	public record Snapshot(long requests, long unauthorized, long revoked, long tokenCalls, long firstTokens,
			long proactiveRefreshes, long refreshesAfterUnauthorized, long rejectedTokenCalls) {

		/**
		 * Return the sum of this and another snapshot.
		 * @param other the other snapshot
		 * @return the sum
		 */
		public Snapshot plus(Snapshot other) {
			return new Snapshot(this.requests + other.requests, this.unauthorized + other.unauthorized,
					this.revoked + other.revoked, this.tokenCalls + other.tokenCalls,
					this.firstTokens + other.firstTokens, this.proactiveRefreshes + other.proactiveRefreshes,
					this.refreshesAfterUnauthorized + other.refreshesAfterUnauthorized,
					this.rejectedTokenCalls + other.rejectedTokenCalls);
		}

	}

	static final class Counters {

		final LongAdder requests = new LongAdder();

		final LongAdder unauthorized = new LongAdder();

		final LongAdder revoked = new LongAdder();

		final LongAdder tokenCalls = new LongAdder();

		final LongAdder firstTokens = new LongAdder();

		final LongAdder proactiveRefreshes = new LongAdder();

		final LongAdder refreshesAfterUnauthorized = new LongAdder();

		final LongAdder rejectedTokenCalls = new LongAdder();

	}

}
