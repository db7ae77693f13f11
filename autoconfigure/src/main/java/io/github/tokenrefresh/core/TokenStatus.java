package io.github.tokenrefresh.core;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link TokenManager} last did, for health and operations. Holds no secret.
 *
 * @param clientName the client name
 * @param lastAttemptAt when a token was last asked of the token source, or {@code null} before the first time
 * @param lastOutcome how that ended, or {@code null} before the first time or while the first call runs
 * @param lastSuccessAt when a token was last obtained, or {@code null}
 * @param refreshCount how many tokens have been obtained
 * @param expiresAt expiry of the last token obtained or served, or {@code null} when unknown or none
 * @param lastErrorStatus HTTP status of the last failure, or {@code null}
 * @param lastErrorCode OAuth 2.0 error code of the last failure, or {@code null}
 * @param lastErrorMessage message of the last failure (never a secret), or {@code null}
 */
public record TokenStatus(String clientName, @Nullable Instant lastAttemptAt, @Nullable Outcome lastOutcome,
		@Nullable Instant lastSuccessAt, long refreshCount, @Nullable Instant expiresAt,
		@Nullable Integer lastErrorStatus, @Nullable String lastErrorCode, @Nullable String lastErrorMessage) {

	/**
	 * How a call to the token source ended.
	 */
	public enum Outcome {

		/** A token was obtained. */
		SUCCESS,

		/** The token endpoint refused the credentials or the refresh token. */
		REJECTED,

		/** The call failed for another reason (unreachable, timed out, unreadable answer). */
		ERROR;

		/**
		 * Return the lower-case name used in tags and JSON.
		 * @return the tag value
		 */
		public String tagValue() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

}
