package io.github.tokenrefresh.web;

import io.github.tokenrefresh.core.TokenRefreshException;

/**
 * Raised when a request answered with 401 could not be sent again with a new token because its body cannot
 * be produced a second time (a one-shot {@code Flux}, a streamed body). The rejected token has been evicted, so
 * sending the request again from the caller works.
 */
public class RequestNotReplayableException extends TokenRefreshException {

	public RequestNotReplayableException(String clientName, String reason) {
		super(clientName, "Request with the token of client '" + clientName
				+ "' was answered 401 and could not be retried with a new token: " + reason
				+ ". Send bodies with bodyValue(...) or another source that can be read twice, or retry in the caller",
				null);
	}

}
