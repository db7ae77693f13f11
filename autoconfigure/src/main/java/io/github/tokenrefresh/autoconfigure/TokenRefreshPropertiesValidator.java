package io.github.tokenrefresh.autoconfigure;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
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

	private static final Set<String> AUTHENTICATION_METHODS = Set.of("client_secret_basic", "client_secret_post",
			"none");

	private TokenRefreshPropertiesValidator() {
	}

	static void validate(TokenRefreshProperties properties) {
		for (Map.Entry<String, Client> entry : properties.getClients().entrySet()) {
			validate(entry.getKey(), entry.getValue());
		}
	}

	private static void validate(String name, Client client) {
		String prefix = PREFIX + name + ".";
		validateSources(name, client);
		validateUrl(prefix + "base-url", client.getBaseUrl(), "https://api.example.com");
		validateUrl(prefix + "token-uri", client.getTokenUri(), "https://auth.example.com/oauth2/token");
		validateUrl(prefix + "login.uri", client.getLogin().getUri(), "https://api.example.com/auth/login");
		validateUrl(prefix + "login.refresh-uri", client.getLogin().getRefreshUri(),
				"https://api.example.com/auth/refresh");
		Login login = client.getLogin();
		if (StringUtils.hasText(login.getRefreshUri()) && !StringUtils.hasText(login.getUri())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "login.refresh-uri",
					"is set without " + prefix + "login.uri; set login.uri as well or remove login.refresh-uri");
		}
		validateLogin(prefix, login);
		validateGrant(prefix, client);
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
	}

	private static void validateSources(String name, Client client) {
		List<String> sources = new ArrayList<>();
		if (StringUtils.hasText(client.getRegistrationId())) {
			sources.add("registration-id");
		}
		if (StringUtils.hasText(client.getTokenUri())) {
			sources.add("token-uri");
		}
		if (StringUtils.hasText(client.getLogin().getUri())) {
			sources.add("login.uri");
		}
		if (sources.size() > 1) {
			throw InvalidTokenRefreshConfigurationException.of(PREFIX + name, "has more than one token source ("
					+ String.join(", ", sources) + "); keep exactly one of registration-id, token-uri and login.uri");
		}
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

	private static void validateGrant(String prefix, Client client) {
		String grantTypeValue = client.getGrantType();
		if (grantTypeValue != null && !StringUtils.hasText(client.getTokenUri())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "grant-type",
					"applies only with " + prefix + "token-uri; with registration-id set the registration's "
							+ "authorization-grant-type instead, with login.uri remove grant-type");
		}
		if (!StringUtils.hasText(client.getTokenUri())) {
			return;
		}
		GrantType grantType = resolveGrantType(prefix, grantTypeValue);
		if (!StringUtils.hasText(client.getClientId())) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "client-id",
					"is required with " + prefix + "token-uri; set the OAuth 2.0 client ID");
		}
		String method = client.getClientAuthenticationMethod();
		if (method == null || !AUTHENTICATION_METHODS.contains(method.toLowerCase(Locale.ROOT))) {
			throw InvalidTokenRefreshConfigurationException.of(prefix + "client-authentication-method",
					"must be client_secret_basic, client_secret_post or none");
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
			case JWT_BEARER -> requireText(prefix + "assertion", client.getAssertion(), "grant-type jwt-bearer");
			case CLIENT_CREDENTIALS -> {
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
