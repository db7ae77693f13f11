package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Login;

/**
 * One client's validated properties: where its tokens come from, how it authenticates and with which key
 * material. Built once at startup by {@link TokenRefreshPropertiesValidator#describe}; {@link ClientTokenManagers}
 * builds the client's token source from this alone. Holds secrets, so {@link #toString()} names only the client's
 * {@link #identity()}.
 */
final class ClientDescription {

	/**
	 * Where a client's tokens come from.
	 */
	enum Source {

		/** A registration under spring.security.oauth2.client.registration. */
		REGISTRATION,

		/** An OAuth 2.0 token endpoint given by token-uri. */
		TOKEN_URI,

		/** An OAuth 2.0 token endpoint discovered from issuer-uri. */
		ISSUER_URI,

		/** In-house login and refresh endpoints. */
		LOGIN,

		/** Nothing in the properties: a TokenSource bean named after the client must supply the tokens. */
		NONE

	}

	/**
	 * What identifies the tokens a client obtains: two clients with the same identity would be issued
	 * interchangeable tokens. Holds no secret.
	 * @param endpoint the token-uri, the issuer-uri, the registration-id or the login.uri
	 * @param clientId the OAuth 2.0 client ID, if any
	 * @param grantType the grant-type value, if the client has a token-uri
	 * @param scopes the requested scopes
	 * @param parameters the extra token request parameters
	 */
	record Identity(@Nullable String endpoint, @Nullable String clientId, @Nullable String grantType,
			Set<String> scopes, Map<String, String> parameters) {
	}

	private final String name;

	private final Source source;

	private final @Nullable GrantType grantType;

	private final ClientAuthentication authentication;

	private final Client client;

	private final Identity identity;

	ClientDescription(String name, Source source, @Nullable GrantType grantType, ClientAuthentication authentication,
			Client client) {
		this.name = name;
		this.source = source;
		this.grantType = grantType;
		this.authentication = authentication;
		this.client = copy(client);
		this.identity = new Identity(endpoint(source, client), client.getClientId(),
				(grantType != null) ? grantType.getValue() : null,
				Collections.unmodifiableSet(new LinkedHashSet<>(client.getScope())),
				Collections.unmodifiableMap(new LinkedHashMap<>(client.getParameters())));
	}

	private static @Nullable String endpoint(Source source, Client client) {
		return switch (source) {
			case REGISTRATION -> client.getRegistrationId();
			case TOKEN_URI -> client.getTokenUri();
			case ISSUER_URI -> client.getIssuerUri();
			case LOGIN -> client.getLogin().getUri();
			case NONE -> null;
		};
	}

	// A private copy, so that nothing that changes the bound properties later changes the client.
	private static Client copy(Client source) {
		Client copy = new Client();
		copy.setBaseUrl(source.getBaseUrl());
		copy.setRegistrationId(source.getRegistrationId());
		copy.setTokenUri(source.getTokenUri());
		copy.setIssuerUri(source.getIssuerUri());
		copy.setGrantType(source.getGrantType());
		copy.setClientId(source.getClientId());
		copy.setClientSecret(source.getClientSecret());
		copy.setClientAuthenticationMethod(source.getClientAuthenticationMethod());
		copy.setSslBundle(source.getSslBundle());
		copy.setKeyId(source.getKeyId());
		copy.setClientAssertionFile(source.getClientAssertionFile());
		copy.setAssertionFile(source.getAssertionFile());
		copy.setSubjectTokenFile(source.getSubjectTokenFile());
		copy.setSubjectClient(source.getSubjectClient());
		copy.setSubjectTokenType(source.getSubjectTokenType());
		copy.setActorTokenFile(source.getActorTokenFile());
		copy.getParameters().putAll(source.getParameters());
		copy.setScope(new LinkedHashSet<>(source.getScope()));
		copy.setUsername(source.getUsername());
		copy.setPassword(source.getPassword());
		copy.setRefreshToken(source.getRefreshToken());
		copy.setAssertion(source.getAssertion());
		copy.setRefreshBeforeExpiry(source.getRefreshBeforeExpiry());
		copy.setRefreshAhead(source.getRefreshAhead());
		copy.setRetryOnUnauthorized(source.getRetryOnUnauthorized());
		copy.setRejectionCooldown(source.getRejectionCooldown());
		copy.setTimeout(source.getTimeout());
		copy.setHeaderName(source.getHeaderName());
		copy.setHeaderPrefix(source.getHeaderPrefix());
		copy.setRegisterBean(source.isRegisterBean());
		copy.setAutoRefresh(source.isAutoRefresh());
		Login login = copy.getLogin();
		Login sourceLogin = source.getLogin();
		login.setUri(sourceLogin.getUri());
		login.setFormat(sourceLogin.getFormat());
		login.getBody().putAll(sourceLogin.getBody());
		login.setRefreshUri(sourceLogin.getRefreshUri());
		login.setRefreshTokenField(sourceLogin.getRefreshTokenField());
		login.setAccessTokenPath(sourceLogin.getAccessTokenPath());
		login.setRefreshTokenPath(sourceLogin.getRefreshTokenPath());
		login.setExpiresInPath(sourceLogin.getExpiresInPath());
		login.setRefreshExpiresInPath(sourceLogin.getRefreshExpiresInPath());
		return copy;
	}

	String name() {
		return this.name;
	}

	/**
	 * Return the prefix of the client's properties, ending with a dot, for messages.
	 */
	String prefix() {
		return TokenRefreshPropertiesValidator.PREFIX + this.name + ".";
	}

	Source source() {
		return this.source;
	}

	/**
	 * Return the grant of a {@link Source#TOKEN_URI} or {@link Source#ISSUER_URI} client; a registration's grant
	 * is its own.
	 */
	@Nullable GrantType grantType() {
		return this.grantType;
	}

	ClientAuthentication authentication() {
		return this.authentication;
	}

	Identity identity() {
		return this.identity;
	}

	@Nullable String tokenUri() {
		return this.client.getTokenUri();
	}

	@Nullable String issuerUri() {
		return this.client.getIssuerUri();
	}

	@Nullable String registrationId() {
		return this.client.getRegistrationId();
	}

	@Nullable String clientId() {
		return this.client.getClientId();
	}

	@Nullable String clientSecret() {
		return this.client.getClientSecret();
	}

	Set<String> scopes() {
		return this.identity.scopes();
	}

	Map<String, String> parameters() {
		return this.identity.parameters();
	}

	@Nullable String sslBundle() {
		return this.client.getSslBundle();
	}

	@Nullable String keyId() {
		return this.client.getKeyId();
	}

	@Nullable String clientAssertionFile() {
		return this.client.getClientAssertionFile();
	}

	@Nullable String assertionFile() {
		return this.client.getAssertionFile();
	}

	@Nullable String subjectTokenFile() {
		return this.client.getSubjectTokenFile();
	}

	@Nullable String subjectClient() {
		return this.client.getSubjectClient();
	}

	String subjectTokenType() {
		return this.client.getSubjectTokenType();
	}

	@Nullable String actorTokenFile() {
		return this.client.getActorTokenFile();
	}

	@Nullable String username() {
		return this.client.getUsername();
	}

	@Nullable String password() {
		return this.client.getPassword();
	}

	@Nullable String refreshToken() {
		return this.client.getRefreshToken();
	}

	@Nullable String assertion() {
		return this.client.getAssertion();
	}

	/**
	 * Return the login settings of a {@link Source#LOGIN} client.
	 */
	Login login() {
		return this.client.getLogin();
	}

	/**
	 * Return the client's properties for what the token manager needs beyond its source (refresh timing,
	 * timeout) and what credentials checks read; a private copy.
	 */
	Client settings() {
		return this.client;
	}

	@Override
	public String toString() {
		return "ClientDescription[" + this.name + ", " + this.source + ", " + this.identity + "]";
	}

}
