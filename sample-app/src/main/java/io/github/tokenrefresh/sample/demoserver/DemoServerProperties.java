package io.github.tokenrefresh.sample.demoserver;

import java.time.Duration;

/**
 * Settings of the demo servers, bound from {@code demo.server.*}.
 */
public final class DemoServerProperties {

	/**
	 * Lifetime of the access tokens the demo servers issue.
	 */
	private Duration tokenLifetime = Duration.ofSeconds(5);

	/**
	 * Probability that the API revokes the token of a request early and answers 401.
	 */
	private double revokeRate = 0.005;

	/**
	 * Client id of the one OAuth2 client the authorization server knows.
	 */
	private String clientId = "orders-app";

	/**
	 * Secret of that OAuth2 client.
	 */
	private String clientSecret = "orders-secret";

	/**
	 * Username of the one user the login API knows.
	 */
	private String username = "demo";

	/**
	 * Password of that user.
	 */
	private String password = "demo-password";

	public Duration getTokenLifetime() {
		return this.tokenLifetime;
	}

	public void setTokenLifetime(Duration tokenLifetime) {
		this.tokenLifetime = tokenLifetime;
	}

	public double getRevokeRate() {
		return this.revokeRate;
	}

	public void setRevokeRate(double revokeRate) {
		this.revokeRate = revokeRate;
	}

	public String getClientId() {
		return this.clientId;
	}

	public void setClientId(String clientId) {
		this.clientId = clientId;
	}

	public String getClientSecret() {
		return this.clientSecret;
	}

	public void setClientSecret(String clientSecret) {
		this.clientSecret = clientSecret;
	}

	public String getUsername() {
		return this.username;
	}

	public void setUsername(String username) {
		this.username = username;
	}

	public String getPassword() {
		return this.password;
	}

	public void setPassword(String password) {
		this.password = password;
	}

}
