package io.github.tokenrefresh.core;

import java.net.URI;

import org.jspecify.annotations.Nullable;

/**
 * Raised when a token could not be obtained: the token endpoint rejected the credentials or the refresh
 * token ({@link #isRejected()}), or the call failed (unreachable, timed out, server error after retries,
 * unreadable response).
 */
public class TokenAcquisitionException extends TokenRefreshException {

	private final @Nullable URI endpoint;

	private final @Nullable Integer status;

	private final @Nullable String errorCode;

	private final @Nullable String errorDescription;

	private final boolean rejected;

	private final boolean outcomeUnknown;

	private TokenAcquisitionException(String clientName, String message, @Nullable URI endpoint,
			@Nullable Integer status, @Nullable String errorCode, @Nullable String errorDescription, boolean rejected,
			@Nullable Throwable cause) {
		this(clientName, message, endpoint, status, errorCode, errorDescription, rejected, false, cause);
	}

	private TokenAcquisitionException(String clientName, String message, @Nullable URI endpoint,
			@Nullable Integer status, @Nullable String errorCode, @Nullable String errorDescription, boolean rejected,
			boolean outcomeUnknown, @Nullable Throwable cause) {
		super(clientName, message, cause);
		this.endpoint = endpoint;
		this.status = status;
		this.errorCode = errorCode;
		this.errorDescription = errorDescription;
		this.rejected = rejected;
		this.outcomeUnknown = outcomeUnknown;
	}

	/**
	 * Create an exception for a token endpoint that refused the request: retrying with the same credentials
	 * cannot help.
	 * @param clientName the client name
	 * @param endpoint the token endpoint, may be {@code null}
	 * @param status the HTTP status, may be {@code null}
	 * @param errorCode the OAuth 2.0 {@code error}, may be {@code null}
	 * @param errorDescription the OAuth 2.0 {@code error_description}, may be {@code null}
	 * @return the exception
	 */
	public static TokenAcquisitionException rejected(String clientName, @Nullable URI endpoint,
			@Nullable Integer status, @Nullable String errorCode, @Nullable String errorDescription) {
		String message = "Token endpoint " + describe(endpoint) + " rejected client '" + clientName + "'"
				+ details(status, errorCode, errorDescription)
				+ ". Check the client's credentials (client id and secret, username and password, or refresh token)";
		return new TokenAcquisitionException(clientName, message, sanitize(endpoint), status, errorCode,
				errorDescription, true, null);
	}

	/**
	 * Create an exception for a token call that failed for another reason than a rejection.
	 * @param clientName the client name
	 * @param endpoint the token endpoint, may be {@code null}
	 * @param status the HTTP status, may be {@code null}
	 * @param reason what went wrong, without any secret
	 * @param cause the cause, may be {@code null}; its message must not contain a secret
	 * @return the exception
	 */
	public static TokenAcquisitionException failed(String clientName, @Nullable URI endpoint,
			@Nullable Integer status, String reason, @Nullable Throwable cause) {
		String message = "Could not obtain a token for client '" + clientName + "' from " + describe(endpoint)
				+ details(status, null, null) + ": " + reason;
		return new TokenAcquisitionException(clientName, message, sanitize(endpoint), status, null, null, false,
				cause);
	}

	/**
	 * Create an exception for an OAuth 2.0 error that the endpoint returned with a success status or that
	 * otherwise does not say whether the credentials were refused.
	 * @param clientName the client name
	 * @param endpoint the token endpoint, may be {@code null}
	 * @param status the HTTP status, may be {@code null}
	 * @param errorCode the OAuth 2.0 {@code error}
	 * @param errorDescription the OAuth 2.0 {@code error_description}, may be {@code null}
	 * @param rejected whether the error means the credentials or grant were refused
	 * @return the exception
	 */
	public static TokenAcquisitionException oauth2Error(String clientName, @Nullable URI endpoint,
			@Nullable Integer status, String errorCode, @Nullable String errorDescription, boolean rejected) {
		if (rejected) {
			return rejected(clientName, endpoint, status, errorCode, errorDescription);
		}
		String message = "Token endpoint " + describe(endpoint) + " returned an error for client '" + clientName
				+ "'" + details(status, errorCode, errorDescription);
		return new TokenAcquisitionException(clientName, message, sanitize(endpoint), status, errorCode,
				errorDescription, false, null);
	}

	/**
	 * Return a copy of this exception, for callers that arrive while a rejection is remembered.
	 * @return a new exception with the same details
	 */
	TokenAcquisitionException copy() {
		return new TokenAcquisitionException(getClientName(), getMessage(), this.endpoint, this.status,
				this.errorCode, this.errorDescription, this.rejected, this.outcomeUnknown, getCause());
	}

	/**
	 * Return a copy of this exception saying that the token endpoint may have acted on the request although no
	 * answer arrived (a timeout, a connection reset after the request was sent, a 502 or 504 from a gateway).
	 * @return a new exception with the same details, whose outcome is unknown
	 */
	public TokenAcquisitionException withUnknownOutcome() {
		return new TokenAcquisitionException(getClientName(), getMessage(), this.endpoint, this.status,
				this.errorCode, this.errorDescription, this.rejected, true, getCause());
	}

	private static String describe(@Nullable URI endpoint) {
		URI sanitized = sanitize(endpoint);
		return (sanitized != null) ? sanitized.toString() : "(no endpoint)";
	}

	private static @Nullable URI sanitize(@Nullable URI endpoint) {
		if (endpoint == null || (endpoint.getRawUserInfo() == null && endpoint.getRawQuery() == null)) {
			return endpoint;
		}
		// User info and query strings may carry credentials: keep only what identifies the endpoint.
		try {
			return new URI(endpoint.getScheme(), null, endpoint.getHost(), endpoint.getPort(), endpoint.getPath(),
					null, null);
		}
		catch (java.net.URISyntaxException ex) {
			return null;
		}
	}

	private static String details(@Nullable Integer status, @Nullable String errorCode,
			@Nullable String errorDescription) {
		StringBuilder details = new StringBuilder();
		if (status != null) {
			details.append(" with HTTP ").append(status);
		}
		if (errorCode != null) {
			details.append((status != null) ? ", error '" : " with error '").append(errorCode).append("'");
		}
		if (errorDescription != null) {
			details.append(" (").append(errorDescription).append(")");
		}
		return details.toString();
	}

	/**
	 * Return the token endpoint that was called, without user info or query.
	 * @return the endpoint, or {@code null}
	 */
	public @Nullable URI getEndpoint() {
		return this.endpoint;
	}

	/**
	 * Return the HTTP status of the token endpoint's last answer.
	 * @return the status, or {@code null} when there was no answer
	 */
	public @Nullable Integer getStatus() {
		return this.status;
	}

	/**
	 * Return the OAuth 2.0 {@code error} code (RFC 6749 §5.2).
	 * @return the error code, or {@code null}
	 */
	public @Nullable String getErrorCode() {
		return this.errorCode;
	}

	/**
	 * Return the OAuth 2.0 {@code error_description}.
	 * @return the description, or {@code null}
	 */
	public @Nullable String getErrorDescription() {
		return this.errorDescription;
	}

	/**
	 * Return whether the token endpoint refused the credentials or the refresh token, so that trying again
	 * with them cannot help.
	 * @return whether this is a rejection
	 */
	public boolean isRejected() {
		return this.rejected;
	}

	/**
	 * Return whether the token endpoint may have acted on the request although its answer was lost: after a
	 * refresh_token grant, the refresh token may have been rotated, so presenting it again could be taken for a
	 * reuse.
	 * @return whether the outcome of the call is unknown
	 */
	public boolean isOutcomeUnknown() {
		return this.outcomeUnknown;
	}

}
