package io.github.tokenrefresh.oauth2;

import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

/**
 * A resource owner password credentials grant request (RFC 6749 §4.3). Spring Security 7 removed its support;
 * this request only exists so that Spring's header and parameter converters apply the registration's client
 * authentication exactly as for the other grants. No {@code toString()}: it holds the password.
 */
final class PasswordGrantRequest extends AbstractOAuth2AuthorizationGrantRequest {

	private final String username;

	private final String password;

	PasswordGrantRequest(ClientRegistration registration, String username, String password) {
		super(OAuth2TokenSource.PASSWORD, registration);
		this.username = username;
		this.password = password;
	}

	String getUsername() {
		return this.username;
	}

	String getPassword() {
		return this.password;
	}

}
