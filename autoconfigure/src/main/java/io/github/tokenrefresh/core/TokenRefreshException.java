package io.github.tokenrefresh.core;

import org.jspecify.annotations.Nullable;

/**
 * Base class of the exceptions that token-refresh raises. Messages name the client and what to check; they
 * never contain a token, a secret or a password.
 */
public abstract class TokenRefreshException extends RuntimeException {

	private final String clientName;

	protected TokenRefreshException(String clientName, String message, @Nullable Throwable cause) {
		super(message, cause);
		this.clientName = clientName;
	}

	/**
	 * Return the name of the client whose token was concerned.
	 * @return the client name
	 */
	public String getClientName() {
		return this.clientName;
	}

}
