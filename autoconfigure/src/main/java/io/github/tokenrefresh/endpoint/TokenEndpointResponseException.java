package io.github.tokenrefresh.endpoint;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A non-2xx answer from a token endpoint, with what the answer said that is safe to show: the status, the
 * {@code Retry-After} delay and the OAuth 2.0 {@code error} and {@code error_description} (RFC 6749 §5.2).
 * The body itself is never kept.
 */
final class TokenEndpointResponseException extends RuntimeException {

	private final int status;

	private final @Nullable Duration retryAfter;

	private final @Nullable String errorCode;

	private final @Nullable String errorDescription;

	TokenEndpointResponseException(int status, @Nullable Duration retryAfter, @Nullable String errorCode,
			@Nullable String errorDescription) {
		super("Token endpoint answered HTTP " + status + ((errorCode != null) ? " with error '" + errorCode + "'" : ""),
				null, false, false);
		this.status = status;
		this.retryAfter = retryAfter;
		this.errorCode = errorCode;
		this.errorDescription = errorDescription;
	}

	int getStatus() {
		return this.status;
	}

	@Nullable Duration getRetryAfter() {
		return this.retryAfter;
	}

	@Nullable String getErrorCode() {
		return this.errorCode;
	}

	@Nullable String getErrorDescription() {
		return this.errorDescription;
	}

}
