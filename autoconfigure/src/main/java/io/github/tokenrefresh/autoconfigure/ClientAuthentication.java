package io.github.tokenrefresh.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.util.StringUtils;

/**
 * The ways a client can authenticate to its token endpoint, by their {@code client-authentication-method} value,
 * each with what it needs from the client's properties. This is the one place a new method is validated; the key
 * material it needs is built in {@link ClientAuthenticationKeys}.
 */
enum ClientAuthentication {

	CLIENT_SECRET_BASIC(ClientAuthenticationMethod.CLIENT_SECRET_BASIC),

	CLIENT_SECRET_POST(ClientAuthenticationMethod.CLIENT_SECRET_POST),

	NONE(ClientAuthenticationMethod.NONE),

	CLIENT_SECRET_JWT(ClientAuthenticationMethod.CLIENT_SECRET_JWT) {

		// HS256 needs a key of at least 256 bits (RFC 7518 §3.2); Nimbus refuses a shorter one at the first call.
		private static final int MIN_SECRET_BYTES = 32;

		@Override
		void validate(String prefix, Client client) {
			String secret = client.getClientSecret();
			if (!StringUtils.hasText(secret)) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + "client-secret",
						"is required with client-authentication-method client_secret_jwt; it signs the assertion");
			}
			if (secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + "client-secret",
						"must be at least " + MIN_SECRET_BYTES + " bytes long with client-authentication-method "
								+ "client_secret_jwt, as HS256 requires");
			}
		}

	},

	PRIVATE_KEY_JWT(ClientAuthenticationMethod.PRIVATE_KEY_JWT) {

		@Override
		void validate(String prefix, Client client) {
			boolean bundle = StringUtils.hasText(client.getSslBundle());
			boolean file = StringUtils.hasText(client.getClientAssertionFile());
			if (!bundle && !file) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + "ssl-bundle",
						"is required with client-authentication-method private_key_jwt; name the "
								+ "spring.ssl.bundle whose private key signs the assertion, or set "
								+ "client-assertion-file to send an assertion the platform provides");
			}
			if (bundle && file) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + "client-assertion-file",
						"and " + prefix + "ssl-bundle are both set; keep one: the assertion is either read from "
								+ "the file or signed with the bundle's key");
			}
			if (file) {
				AssertionFiles.validate(prefix + "client-assertion-file", client.getClientAssertionFile());
			}
		}

		@Override
		boolean usesClientAssertionFile() {
			return true;
		}

		@Override
		boolean usesSslBundle() {
			return true;
		}

		@Override
		boolean usesKeyId() {
			return true;
		}

	};

	static final String VALUES = Arrays.stream(values())
		.map(ClientAuthentication::getValue)
		.collect(Collectors.joining(", "));

	private final ClientAuthenticationMethod method;

	ClientAuthentication(ClientAuthenticationMethod method) {
		this.method = method;
	}

	String getValue() {
		return this.method.getValue();
	}

	ClientAuthenticationMethod getMethod() {
		return this.method;
	}

	/**
	 * Check that the client holds what this method needs.
	 * @param prefix the client's property prefix, ending with a dot
	 * @param client the client's properties
	 */
	void validate(String prefix, Client client) {
	}

	/**
	 * Return whether the method reads {@code ssl-bundle}.
	 */
	boolean usesSslBundle() {
		return false;
	}

	/**
	 * Return whether the method reads {@code client-assertion-file}.
	 */
	boolean usesClientAssertionFile() {
		return false;
	}

	/**
	 * Return whether the method reads {@code key-id}.
	 */
	boolean usesKeyId() {
		return false;
	}

	/**
	 * Return the method a {@code client-authentication-method} value names.
	 * @param property the property, for messages
	 * @param value the value
	 * @return the method
	 */
	static ClientAuthentication of(String property, @Nullable String value) {
		if (value != null) {
			for (ClientAuthentication candidate : values()) {
				if (candidate.getValue().equals(value.trim().toLowerCase(Locale.ROOT))) {
					return candidate;
				}
			}
		}
		throw InvalidTokenRefreshConfigurationException.of(property, "must be one of " + VALUES);
	}

}
