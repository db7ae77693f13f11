package io.github.tokenrefresh.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.util.StringUtils;

/**
 * The store key of each client: {@code <key-prefix>{<namespace>:<identity>}:<client name>}.
 * <ul>
 * <li>The namespace ({@code token-refresh.store.namespace}, {@code spring.application.name} by default) keeps two
 * applications on one Redis that both name a client {@code orders} from reading each other's tokens; applications
 * that set the same namespace share the tokens of identically configured clients.</li>
 * <li>The identity is a fingerprint of what the token is for (token endpoint or issuer, registration, grant,
 * client id, scopes, username, login URI, token request parameters, token exchange subject), never of a secret, so
 * that a configuration change starts a new token instead of keeping the old one, with its scopes and refresh token,
 * for hours.</li>
 * <li>The braces are a Redis Cluster hash tag: the key, its lease and its channel live in one hash slot.</li>
 * </ul>
 */
final class StoreKeys {

	private static final String NAMESPACE_PROPERTY = "token-refresh.store.namespace";

	private static final String DEFAULT_NAMESPACE = "application";

	private StoreKeys() {
	}

	/**
	 * Return the prefix the engine puts before the client name.
	 */
	static String prefix(TokenRefreshProperties.Store store, @Nullable String applicationName, Client client) {
		return store.getKeyPrefix() + "{" + namespace(store, applicationName) + ":" + fingerprint(client) + "}:";
	}

	static String namespace(TokenRefreshProperties.Store store, @Nullable String applicationName) {
		String configured = store.getNamespace();
		String namespace = StringUtils.hasText(configured) ? configured
				: StringUtils.hasText(applicationName) ? applicationName : DEFAULT_NAMESPACE;
		if (namespace.indexOf('{') >= 0 || namespace.indexOf('}') >= 0) {
			throw new InvalidConfigurationPropertyValueException(NAMESPACE_PROPERTY, namespace,
					"must not contain '{' or '}' (they delimit the Redis Cluster hash tag of the store keys)");
		}
		return namespace;
	}

	/**
	 * Return 16 hex digits of a SHA-256 over the client's identity, the same for every instance configured alike.
	 */
	static String fingerprint(Client client) {
		List<String> identity = new ArrayList<>();
		identity.add("token-uri=" + text(client.getTokenUri()));
		identity.add("issuer-uri=" + text(client.getIssuerUri()));
		identity.add("registration-id=" + text(client.getRegistrationId()));
		identity.add("grant-type=" + text(client.getGrantType()));
		identity.add("client-id=" + text(client.getClientId()));
		identity.add("scope=" + String.join(" ", new TreeSet<>(client.getScope())));
		identity.add("username=" + text(client.getUsername()));
		identity.add("login-uri=" + text(client.getLogin().getUri()));
		// Parameters such as audience or resource decide what the token is for.
		identity.add("parameters=" + new TreeMap<>(client.getParameters()));
		identity.add("subject-client=" + text(client.getSubjectClient()));
		identity.add("subject-token-type=" + text(client.getSubjectTokenType()));
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(String.join("\n", identity).getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	private static String text(@Nullable String value) {
		return (value != null) ? value.trim() : "";
	}

}
