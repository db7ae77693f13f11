package io.github.tokenrefresh.autoconfigure;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.core.AuthorizationGrantType;

/**
 * The OAuth 2.0 grants a client can be configured with, by their property value.
 */
enum GrantType {

	CLIENT_CREDENTIALS("client_credentials", AuthorizationGrantType.CLIENT_CREDENTIALS),

	REFRESH_TOKEN("refresh_token", AuthorizationGrantType.REFRESH_TOKEN),

	// Spring Security 7 dropped the constant with the grant (OAuth 2.1); the token response client still sends it.
	PASSWORD("password", new AuthorizationGrantType("password")),

	JWT_BEARER("jwt-bearer", AuthorizationGrantType.JWT_BEARER),

	TOKEN_EXCHANGE("token-exchange", AuthorizationGrantType.TOKEN_EXCHANGE);

	static final String VALUES = "client_credentials, refresh_token, password, jwt-bearer or token-exchange";

	private final String value;

	private final AuthorizationGrantType authorizationGrantType;

	GrantType(String value, AuthorizationGrantType authorizationGrantType) {
		this.value = value;
		this.authorizationGrantType = authorizationGrantType;
	}

	String getValue() {
		return this.value;
	}

	AuthorizationGrantType getAuthorizationGrantType() {
		return this.authorizationGrantType;
	}

	/**
	 * Return the grant for a property value or an {@code authorization-grant-type} (which may be the RFC 7523 URN).
	 * @param value the value
	 * @return the grant, or {@code null} if the value names none of them
	 */
	static @Nullable GrantType of(String value) {
		for (GrantType grantType : values()) {
			if (grantType.value.equalsIgnoreCase(value)
					|| grantType.authorizationGrantType.getValue().equalsIgnoreCase(value)) {
				return grantType;
			}
		}
		return null;
	}

}
