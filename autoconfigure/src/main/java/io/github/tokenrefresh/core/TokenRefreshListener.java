package io.github.tokenrefresh.core;

import java.time.Duration;

/**
 * Told what a {@link TokenManager} does, for metrics, events and alerting. Called on whatever thread the work
 * completes on: implementations must be quick and must not block.
 */
public interface TokenRefreshListener {

	/**
	 * A token was obtained from the token source.
	 * @param clientName the client name
	 * @param kind whether it was a full acquisition or a refresh
	 * @param token the new token
	 * @param duration how long the call took
	 */
	default void tokenObtained(String clientName, AcquisitionKind kind, Token token, Duration duration) {
	}

	/**
	 * A call to the token source failed.
	 * @param clientName the client name
	 * @param kind whether it was a full acquisition or a refresh
	 * @param error the failure; a {@link TokenAcquisitionException} with {@code isRejected()} for a rejection
	 * @param duration how long the call took
	 */
	default void acquisitionFailed(String clientName, AcquisitionKind kind, Throwable error, Duration duration) {
	}

	/**
	 * A request answered 401 is being retried with a new token.
	 * @param clientName the client name
	 */
	default void unauthorizedRetried(String clientName) {
	}

	/**
	 * A request answered 401 is returned to its caller with the token kept: a 401 already replaced the token
	 * within the client's unauthorized refresh interval, so a new token is unlikely to help and would cost a
	 * token call per request.
	 * @param clientName the client name
	 */
	default void unauthorizedUnresolved(String clientName) {
	}

	/**
	 * A request had to wait for a refresh before it could be sent.
	 * @param clientName the client name
	 */
	default void waitedForRefresh(String clientName) {
	}

	/**
	 * The kinds of call to a token source.
	 */
	enum AcquisitionKind {

		/** A full acquisition with the client's own credentials. */
		ACQUIRE,

		/** A refresh with a refresh token. */
		REFRESH;

		/**
		 * Return the lower-case name used in tags and logs.
		 * @return the tag value
		 */
		public String tagValue() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

}
