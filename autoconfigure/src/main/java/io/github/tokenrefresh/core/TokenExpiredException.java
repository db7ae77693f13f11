package io.github.tokenrefresh.core;

/**
 * Raised when a client that does not refresh on its own (manual mode) holds no usable token.
 */
public class TokenExpiredException extends TokenRefreshException {

	public TokenExpiredException(String clientName, String reason) {
		super(clientName, "No usable token for client '" + clientName + "': " + reason
				+ ". Automatic refresh is off for this client: refresh it through the 'tokens' actuator endpoint"
				+ " or TokenManager.refresh()", null);
	}

}
