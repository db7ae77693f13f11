package io.github.tokenrefresh.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Login;
import org.springframework.util.StringUtils;

/**
 * Checks the token-refresh properties at startup, before any bean uses them, so that a mistake fails the start
 * with the property's name instead of the first request.
 */
final class TokenRefreshPropertiesValidator {

	static final String PREFIX = "token-refresh.clients.";

	// Names the protocol owns (RFC 6749, RFC 7523): an extra parameter must not replace or repeat them.
	private static final Set<String> RESERVED_PARAMETERS = Set.of("grant_type", "client_id", "client_secret",
			"client_assertion", "client_assertion_type", "refresh_token", "username", "password", "assertion",
			"scope");

	private TokenRefreshPropertiesValidator() {
	}

	/**
	 * Check every client's properties, failing at the first mistake with the property's name.
	 * @param properties the bound properties
	 */
	static void validate(TokenRefreshProperties properties) {
		describe(properties);
	}

	/**
	 * Check every client's properties and describe each client by them.
	 * @param properties the bound properties
	 * @return each client's description by client name, in configuration order
	 */
	static Map<String, ClientDescription> describe(TokenRefreshProperties properties) {
		Map<String, ClientDescription> descriptions = new LinkedHashMap<>();
		for (Map.Entry<String, Client> entry : properties.getClients().entrySet()) {
			descriptions.put(entry.getKey(), describe(entry.getKey(), entry.getValue()));
		}
		for (ClientDescription description : descriptions.values()) {
			String subject = description.subjectClient();
			if (subject != null && (subject.equals(description.name()) || !descriptions.containsKey(subject))) {
				throw InvalidTokenRefreshConfigurationException.of(description.prefix() + "subject-client",
						"must name another client under token-refresh.clients, whose access token is exchanged");
			}
		}
		return Collections.unmodifiableMap(descriptions);
	}

	private static ClientDescription describe(String name, Client client) {
		String prefix = PREFIX + name + ".";
		ClientDescription.Source source = validateSources(name, client);
		validateUrl(prefix + "base-url", client.getBaseUrl(), "https://api.example.com");
		validateUrl(prefix + "token-uri", client.getTokenUri(), "https://auth.example.com/oauth2/token");
		validateUrl(prefix + "issuer-uri", client.getIssuerUri(), "https://auth.example.com/realms/main");
		validateUrl(prefix + "login.uri", client.getLogin().getUri(), "https://api.example.com/auth/login");
		validateUrl(prefix + "login.refresh-uri", client.getLogin().getRefreshUri(),
				"https://api.example.com/auth/refresh");
		Login login = client.getLogin();
		if (StringUtils.hasText(login.getRefreshUri()) && !StringUtils.hasText(login.getUri())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "login.refresh-uri",
					"is set without " + prefix + "login.uri; set login.uri as well or remove login.refresh-uri");
		}
		validateLogin(prefix, login);
		validateGrant(prefix, client, source);
		validateNotNegative(prefix + "refresh-before-expiry", client.getRefreshBeforeExpiry());
		validateNotNegative(prefix + "refresh-ahead", client.getRefreshAhead());
		validateNotNegative(prefix + "rejection-cooldown", client.getRejectionCooldown());
		validateNotNegative(prefix + "unauthorized-refresh-interval", client.getUnauthorizedRefreshInterval());
		Duration timeout = client.getTimeout();
		if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "timeout",
					"must be positive, such as 10s; remove it to use the default");
		}
		if (client.getRetryOnUnauthorized() < 0) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "retry-on-unauthorized",
					"must not be negative; use 0 to never retry after a 401");
		}
		if (!StringUtils.hasText(client.getHeaderName())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "header-name",
					"must not be empty; the default is Authorization");
		}
		ClientAuthentication authentication = validateAuthentication(prefix, client, source);
		validateParameters(prefix, client, source);
		GrantType grantType = hasTokenEndpoint(source) ? resolveGrantType(prefix, client.getGrantType()) : null;
		validateAssertionFileUse(prefix, client, grantType, source);
		validateTokenExchangeUse(prefix, client, grantType, source);
		return new ClientDescription(name, source, grantType, authentication, client);
	}

	private static ClientAuthentication validateAuthentication(String prefix, Client client,
			ClientDescription.Source source) {
		ClientAuthentication authentication = ClientAuthentication.of(prefix + "client-authentication-method",
				client.getClientAuthenticationMethod());
		if (hasTokenEndpoint(source)) {
			authentication.validate(prefix, client);
		}
		if (StringUtils.hasText(client.getKeyId()) && !authentication.usesKeyId()) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "key-id",
					"applies only with client-authentication-method private_key_jwt; remove key-id or set "
							+ prefix + "client-authentication-method=private_key_jwt");
		}
		if (StringUtils.hasText(client.getClientAssertionFile()) && !authentication.usesClientAssertionFile()) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "client-assertion-file",
					"applies only with client-authentication-method private_key_jwt; set " + prefix
							+ "client-authentication-method=private_key_jwt");
		}
		if (StringUtils.hasText(client.getSslBundle()) && !authentication.usesSslBundle()) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "ssl-bundle",
					"applies only with client-authentication-method private_key_jwt; remove ssl-bundle or set "
							+ prefix + "client-authentication-method=private_key_jwt");
		}
		if (!hasTokenEndpoint(source) && authentication != ClientAuthentication.CLIENT_SECRET_BASIC) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "client-authentication-method",
					"applies only with " + prefix + "token-uri or issuer-uri; with registration-id set the registration's "
							+ "client-authentication-method instead");
		}
		return authentication;
	}

	private static boolean hasTokenEndpoint(ClientDescription.Source source) {
		return source == ClientDescription.Source.TOKEN_URI || source == ClientDescription.Source.ISSUER_URI;
	}

	private static void validateParameters(String prefix, Client client, ClientDescription.Source source) {
		if (client.getParameters().isEmpty()) {
			return;
		}
		if (source == ClientDescription.Source.LOGIN) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "parameters",
					"apply only to OAuth 2.0 token requests; with login.uri put the fields in login.body");
		}
		for (Map.Entry<String, String> parameter : client.getParameters().entrySet()) {
			String property = prefix + "parameters." + parameter.getKey();
			if (RESERVED_PARAMETERS.contains(parameter.getKey().toLowerCase(Locale.ROOT))) {
				throw InvalidTokenRefreshConfigurationException.of(property,
						"names a parameter that the OAuth 2.0 protocol owns; set it through its own property "
								+ "(client-id, client-secret, scope, grant-type, ...) instead");
			}
			if (!StringUtils.hasText(parameter.getValue())) {
				throw InvalidTokenRefreshConfigurationException.of(property,
						"must not be empty; remove it to send no such parameter");
			}
		}
	}

	private static ClientDescription.Source validateSources(String name, Client client) {
		List<String> sources = new ArrayList<>();
		if (StringUtils.hasText(client.getRegistrationId())) {
			sources.add("registration-id");
		}
		if (StringUtils.hasText(client.getTokenUri())) {
			sources.add("token-uri");
		}
		if (StringUtils.hasText(client.getIssuerUri())) {
			sources.add("issuer-uri");
		}
		if (StringUtils.hasText(client.getLogin().getUri())) {
			sources.add("login.uri");
		}
		if (sources.size() > 1) {
			throw InvalidTokenRefreshConfigurationException.of(PREFIX + name, "has more than one token source ("
					+ String.join(", ", sources) + "); keep exactly one of registration-id, token-uri, issuer-uri and login.uri");
		}
		if (sources.isEmpty()) {
			return ClientDescription.Source.NONE;
		}
		return switch (sources.get(0)) {
			case "registration-id" -> ClientDescription.Source.REGISTRATION;
			case "token-uri" -> ClientDescription.Source.TOKEN_URI;
			case "issuer-uri" -> ClientDescription.Source.ISSUER_URI;
			default -> ClientDescription.Source.LOGIN;
		};
	}

	// The login source's builder refuses these too, but with its own parameter names instead of the property's.
	private static void validateLogin(String prefix, Login login) {
		if (!StringUtils.hasText(login.getUri())) {
			return;
		}
		validatePath(prefix + "login.access-token-path", login.getAccessTokenPath());
		validatePath(prefix + "login.refresh-token-path", login.getRefreshTokenPath());
		validatePath(prefix + "login.expires-in-path", login.getExpiresInPath());
		if (StringUtils.hasText(login.getRefreshExpiresInPath())) {
			validatePath(prefix + "login.refresh-expires-in-path", login.getRefreshExpiresInPath());
		}
		if (!StringUtils.hasText(login.getRefreshTokenField())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "login.refresh-token-field",
					"must not be empty; the default is refresh_token");
		}
	}

	private static void validatePath(String property, @Nullable String path) {
		if (!StringUtils.hasText(path) || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
			throw InvalidTokenRefreshConfigurationException.of(property,
					"must be dot-separated names, such as data.token");
		}
	}

	private static void validateGrant(String prefix, Client client, ClientDescription.Source source) {
		String grantTypeValue = client.getGrantType();
		if (grantTypeValue != null && !hasTokenEndpoint(source)) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "grant-type",
					"applies only with " + prefix + "token-uri or issuer-uri; with registration-id set the "
							+ "registration's authorization-grant-type instead, with login.uri remove grant-type");
		}
		if (!hasTokenEndpoint(source)) {
			return;
		}
		String endpoint = prefix + ((source == ClientDescription.Source.TOKEN_URI) ? "token-uri" : "issuer-uri");
		GrantType grantType = resolveGrantType(prefix, grantTypeValue);
		if (!StringUtils.hasText(client.getClientId())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "client-id",
					"is required with " + endpoint + "; set the OAuth 2.0 client ID");
		}
		validateCredentials(prefix, client, grantType);
	}

	/**
	 * Return the grant named by a {@code grant-type} value; client_credentials when none is set.
	 */
	static GrantType resolveGrantType(String prefix, @Nullable String value) {
		if (value == null) {
			return GrantType.CLIENT_CREDENTIALS;
		}
		GrantType grantType = GrantType.of(value.trim());
		if (grantType == null) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "grant-type",
					"'" + value + "' is not supported; use " + GrantType.VALUES);
		}
		return grantType;
	}

	/**
	 * Check that the client holds what its grant needs.
	 */
	static void validateCredentials(String prefix, Client client, GrantType grantType) {
		switch (grantType) {
			case PASSWORD -> {
				requireText(prefix + "username", client.getUsername(), "grant-type password");
				requireText(prefix + "password", client.getPassword(), "grant-type password");
			}
			case REFRESH_TOKEN -> requireText(prefix + "refresh-token", client.getRefreshToken(),
					"grant-type refresh_token");
			case JWT_BEARER -> {
				if (StringUtils.hasText(client.getAssertionFile())) {
					if (StringUtils.hasText(client.getAssertion())) {
						throw InvalidTokenRefreshConfigurationException.of(prefix + "assertion-file", "and " + prefix
								+ "assertion are both set; keep one, preferably assertion-file as assertions expire");
					}
					AssertionFiles.validate(prefix + "assertion-file", client.getAssertionFile());
				}
				else {
					requireText(prefix + "assertion", client.getAssertion(),
							"grant-type jwt-bearer unless assertion-file is set");
				}
			}
			case TOKEN_EXCHANGE -> {
				boolean file = StringUtils.hasText(client.getSubjectTokenFile());
				boolean other = StringUtils.hasText(client.getSubjectClient());
				if (file == other) {
					throw InvalidTokenRefreshConfigurationException.of(prefix + "subject-token-file",
							(file ? "and " + prefix + "subject-client are both set; keep one"
									: "or " + prefix + "subject-client is required with grant-type token-exchange")
									+ ": the subject token comes from a file or from another client");
				}
				if (file) {
					AssertionFiles.validate(prefix + "subject-token-file", client.getSubjectTokenFile());
				}
				if (StringUtils.hasText(client.getActorTokenFile())) {
					AssertionFiles.validate(prefix + "actor-token-file", client.getActorTokenFile());
				}
				if (!StringUtils.hasText(client.getSubjectTokenType())) {
					throw InvalidTokenRefreshConfigurationException.of(prefix + "subject-token-type",
							"must not be empty; the default is urn:ietf:params:oauth:token-type:access_token");
				}
			}
			case CLIENT_CREDENTIALS -> {
			}
		}
	}

	private static void validateAssertionFileUse(String prefix, Client client, @Nullable GrantType grantType,
			ClientDescription.Source source) {
		if (StringUtils.hasText(client.getAssertionFile()) && source != ClientDescription.Source.REGISTRATION
				&& grantType != GrantType.JWT_BEARER) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "assertion-file",
					"applies only with grant-type jwt-bearer; set " + prefix + "grant-type=jwt-bearer");
		}
	}

	private static void validateTokenExchangeUse(String prefix, Client client, @Nullable GrantType grantType,
			ClientDescription.Source source) {
		if (grantType == GrantType.TOKEN_EXCHANGE || source == ClientDescription.Source.REGISTRATION) {
			return;
		}
		for (String property : new String[] { "subject-token-file", "subject-client", "actor-token-file" }) {
			String value = switch (property) {
				case "subject-token-file" -> client.getSubjectTokenFile();
				case "subject-client" -> client.getSubjectClient();
				default -> client.getActorTokenFile();
			};
			if (StringUtils.hasText(value)) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + property,
						"applies only with grant-type token-exchange; set " + prefix + "grant-type=token-exchange");
			}
		}
	}

	private static void requireText(String property, @Nullable String value, String reason) {
		if (!StringUtils.hasText(value)) {
			throw InvalidTokenRefreshConfigurationException.of(property, "is required with " + reason);
		}
	}

	private static void validateUrl(String property, @Nullable String value, String example) {
		if (value == null) {
			return;
		}
		if (!isAbsoluteHttpUrl(value)) {
			throw InvalidTokenRefreshConfigurationException.of(property,
					"must be an absolute http or https URI with a host, such as " + example);
		}
	}

	private static boolean isAbsoluteHttpUrl(String value) {
		try {
			URI uri = new URI(value);
			String scheme = uri.getScheme();
			return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme)) && uri.getHost() != null;
		}
		catch (URISyntaxException ex) {
			return false;
		}
	}

	private static void validateNotNegative(String property, Duration duration) {
		if (duration.isNegative()) {
			throw InvalidTokenRefreshConfigurationException.of(property, "must not be negative; use 0s to turn it off");
		}
	}

}
