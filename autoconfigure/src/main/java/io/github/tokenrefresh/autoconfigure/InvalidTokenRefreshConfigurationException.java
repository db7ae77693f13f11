package io.github.tokenrefresh.autoconfigure;

/**
 * Thrown at startup when token-refresh is configured in a way that cannot work. The message names the property
 * and the fix; it never contains a configured value, since values may be secrets.
 *
 * @see TokenRefreshFailureAnalyzer
 */
final class InvalidTokenRefreshConfigurationException extends RuntimeException {

	private final String property;

	private final String action;

	InvalidTokenRefreshConfigurationException(String property, String description, String action) {
		super(description);
		this.property = property;
		this.action = action;
	}

	/**
	 * Create an exception whose action is to update the property.
	 * @param property the full property name
	 * @param problem what is wrong and how to fix it, after the property name
	 * @return the exception
	 */
	static InvalidTokenRefreshConfigurationException of(String property, String problem) {
		return new InvalidTokenRefreshConfigurationException(property, property + " " + problem,
				"Update " + property + " in your application's configuration.");
	}

	String getProperty() {
		return this.property;
	}

	String getAction() {
		return this.action;
	}

}
