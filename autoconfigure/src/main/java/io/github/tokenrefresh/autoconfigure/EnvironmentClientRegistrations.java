package io.github.tokenrefresh.autoconfigure;

import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.util.StringUtils;

/**
 * Builds a {@link ClientRegistration} from {@code spring.security.oauth2.client.registration.<id>} and
 * {@code provider.<id>} when the application has no {@code ReactiveClientRegistrationRepository}: the starter
 * must not need Spring Boot's OAuth2 client module, which brings Spring Security's web protection with it.
 */
final class EnvironmentClientRegistrations {

	private static final String REGISTRATION = "spring.security.oauth2.client.registration.";

	private static final String PROVIDER = "spring.security.oauth2.client.provider.";

	private final Binder binder;

	EnvironmentClientRegistrations(Binder binder) {
		this.binder = binder;
	}

	/**
	 * Build the registration the client refers to.
	 * @param clientProperty the client's {@code registration-id} property, for messages
	 * @param registrationId the registration ID
	 * @return the registration and its grant
	 */
	Resolved resolve(String clientProperty, String registrationId) {
		String prefix = REGISTRATION + registrationId + ".";
		Registration registration = this.binder.bind(REGISTRATION + registrationId, Registration.class)
			.orElseThrow(() -> InvalidTokenRefreshConfigurationException.of(clientProperty,
					"names no registration: configure " + prefix + "* or use the ID of an existing registration"));
		if (!StringUtils.hasText(registration.getClientId())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "client-id",
					"is required by " + clientProperty + "; set the OAuth 2.0 client ID");
		}
		String grantTypeValue = registration.getAuthorizationGrantType();
		GrantType grantType = (grantTypeValue != null) ? GrantType.of(grantTypeValue) : null;
		if (grantType == null) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "authorization-grant-type",
					"must be client_credentials, refresh_token, password or "
							+ "urn:ietf:params:oauth:grant-type:jwt-bearer for " + clientProperty);
		}
		String providerId = StringUtils.hasText(registration.getProvider()) ? registration.getProvider()
				: registrationId;
		String tokenUri = this.binder.bind(PROVIDER + providerId + ".token-uri", String.class).orElse(null);
		if (!StringUtils.hasText(tokenUri)) {
			throw InvalidTokenRefreshConfigurationException.of(PROVIDER + providerId + ".token-uri",
					"is required by " + clientProperty + "; set the authorization server's token endpoint");
		}
		ClientRegistration.Builder builder = ClientRegistration.withRegistrationId(registrationId)
			.clientId(registration.getClientId())
			.clientSecret(registration.getClientSecret())
			.authorizationGrantType(grantType.getAuthorizationGrantType())
			.scope(registration.getScope())
			.tokenUri(tokenUri)
			.clientName(registration.getClientName());
		if (StringUtils.hasText(registration.getClientAuthenticationMethod())) {
			builder.clientAuthenticationMethod(
					new ClientAuthenticationMethod(registration.getClientAuthenticationMethod()));
		}
		return new Resolved(builder.build(), grantType);
	}

	record Resolved(ClientRegistration registration, GrantType grantType) {
	}

	/**
	 * The part of a Spring Boot OAuth2 client registration that a token endpoint call needs.
	 */
	static class Registration {

		private @Nullable String provider;

		private @Nullable String clientId;

		private @Nullable String clientSecret;

		private @Nullable String clientAuthenticationMethod;

		private @Nullable String authorizationGrantType;

		private Set<String> scope = new LinkedHashSet<>();

		private @Nullable String clientName;

		public @Nullable String getProvider() {
			return this.provider;
		}

		public void setProvider(@Nullable String provider) {
			this.provider = provider;
		}

		public @Nullable String getClientId() {
			return this.clientId;
		}

		public void setClientId(@Nullable String clientId) {
			this.clientId = clientId;
		}

		public @Nullable String getClientSecret() {
			return this.clientSecret;
		}

		public void setClientSecret(@Nullable String clientSecret) {
			this.clientSecret = clientSecret;
		}

		public @Nullable String getClientAuthenticationMethod() {
			return this.clientAuthenticationMethod;
		}

		public void setClientAuthenticationMethod(@Nullable String clientAuthenticationMethod) {
			this.clientAuthenticationMethod = clientAuthenticationMethod;
		}

		public @Nullable String getAuthorizationGrantType() {
			return this.authorizationGrantType;
		}

		public void setAuthorizationGrantType(@Nullable String authorizationGrantType) {
			this.authorizationGrantType = authorizationGrantType;
		}

		public Set<String> getScope() {
			return this.scope;
		}

		public void setScope(Set<String> scope) {
			this.scope = scope;
		}

		public @Nullable String getClientName() {
			return this.clientName;
		}

		public void setClientName(@Nullable String clientName) {
			this.clientName = clientName;
		}

	}

}
