package io.github.tokenrefresh.autoconfigure;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Collections;
import java.util.function.Function;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.ssl.NoSuchSslBundleException;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

/**
 * Builds the key that signs a client's assertion, by its {@link ClientAuthentication}: the one place that
 * turns a method's configuration into key material. Runs at startup, so a bundle that cannot sign fails the start
 * with the property's name.
 */
final class ClientAuthenticationKeys {

	private ClientAuthenticationKeys() {
	}

	/**
	 * Return the client assertion key of the described client, or {@code null} if its method sends none.
	 * @param description the client
	 * @param sslBundles the application's SSL bundles, if it has any
	 * @return the key of the client's registration
	 */
	static @Nullable Function<ClientRegistration, JWK> of(ClientDescription description,
			@Nullable SslBundles sslBundles) {
		JWK jwk = switch (description.authentication()) {
			case CLIENT_SECRET_BASIC, CLIENT_SECRET_POST, NONE -> null;
			case CLIENT_SECRET_JWT -> secretKey(description);
			case PRIVATE_KEY_JWT ->
				(description.clientAssertionFile() != null) ? null : privateKey(description, sslBundles);
		};
		return (jwk != null) ? (registration) -> jwk : null;
	}

	private static JWK secretKey(ClientDescription description) {
		String secret = description.clientSecret();
		if (secret == null) {
			throw InvalidTokenRefreshConfigurationException.of(description.prefix() + "client-secret",
					"is required with client-authentication-method client_secret_jwt");
		}
		return new OctetSequenceKey.Builder(secret.getBytes(StandardCharsets.UTF_8)).algorithm(JWSAlgorithm.HS256)
			.build();
	}

	private static JWK privateKey(ClientDescription description, @Nullable SslBundles sslBundles) {
		String property = description.prefix() + "ssl-bundle";
		String bundleName = description.sslBundle();
		if (bundleName == null || sslBundles == null) {
			throw InvalidTokenRefreshConfigurationException.of(property,
					"names no SSL bundle; configure spring.ssl.bundle.pem." + bundleName
							+ ".keystore.private-key and .certificate");
		}
		SslBundle bundle;
		try {
			bundle = sslBundles.getBundle(bundleName);
		}
		catch (NoSuchSslBundleException ex) {
			throw InvalidTokenRefreshConfigurationException.of(property,
					"names no SSL bundle; configure spring.ssl.bundle.pem." + bundleName
							+ ".keystore.private-key and .certificate");
		}
		KeyStore keyStore = bundle.getStores().getKeyStore();
		String alias = (keyStore != null) ? keyAlias(keyStore, bundle.getKey().getAlias()) : null;
		if (keyStore == null || alias == null) {
			throw InvalidTokenRefreshConfigurationException.of(property, "names SSL bundle '" + bundleName
					+ "', which holds no private key; set spring.ssl.bundle.pem." + bundleName
					+ ".keystore.private-key (or a key store with a private key entry)");
		}
		return jwk(description, property, bundleName, keyStore, alias, password(bundle));
	}

	private static char @Nullable [] password(SslBundle bundle) {
		String password = bundle.getKey().getPassword();
		if (password == null) {
			password = bundle.getStores().getKeyStorePassword();
		}
		return (password != null) ? password.toCharArray() : new char[0];
	}

	private static @Nullable String keyAlias(KeyStore keyStore, @Nullable String alias) {
		try {
			if (alias != null) {
				return keyStore.isKeyEntry(alias) ? alias : null;
			}
			for (String candidate : Collections.list(keyStore.aliases())) {
				if (keyStore.isKeyEntry(candidate)) {
					return candidate;
				}
			}
			return null;
		}
		catch (KeyStoreException ex) {
			return null;
		}
	}

	// Built from the key store entry by hand: Nimbus's own loading needs Bouncy Castle for EC keys. No cause on
	// failures: key store exceptions may describe the key.
	@SuppressWarnings("deprecation")
	private static JWK jwk(ClientDescription description, String property, String bundleName, KeyStore keyStore,
			String alias, char @Nullable [] password) {
		try {
			Key key = keyStore.getKey(alias, password);
			Certificate certificate = keyStore.getCertificate(alias);
			PublicKey publicKey = (certificate != null) ? certificate.getPublicKey() : null;
			X509Certificate x509 = (certificate instanceof X509Certificate cert) ? cert : null;
			Base64URL sha1 = (x509 != null) ? thumbprint("SHA-1", x509) : null;
			Base64URL sha256 = (x509 != null) ? thumbprint("SHA-256", x509) : null;
			if (key instanceof RSAPrivateKey rsa && publicKey instanceof RSAPublicKey rsaPublic) {
				return new RSAKey.Builder(rsaPublic).privateKey(rsa)
					.keyID(description.keyId())
					.keyUse(KeyUse.SIGNATURE)
					.x509CertThumbprint(sha1)
					.x509CertSHA256Thumbprint(sha256)
					.build();
			}
			if (key instanceof ECPrivateKey ec && publicKey instanceof ECPublicKey ecPublic
					&& Curve.P_256.equals(Curve.forECParameterSpec(ecPublic.getParams()))) {
				return new ECKey.Builder(Curve.P_256, ecPublic).privateKey(ec)
					.keyID(description.keyId())
					.keyUse(KeyUse.SIGNATURE)
					.x509CertThumbprint(sha1)
					.x509CertSHA256Thumbprint(sha256)
					.build();
			}
		}
		catch (GeneralSecurityException | RuntimeException ex) {
			throw InvalidTokenRefreshConfigurationException.of(property,
					"names SSL bundle '" + bundleName + "', whose private key cannot be read for signing");
		}
		throw InvalidTokenRefreshConfigurationException.of(property, "names SSL bundle '" + bundleName
				+ "', whose key is neither RSA nor EC P-256 with its certificate; use one of those for private_key_jwt");
	}

	private static @Nullable Base64URL thumbprint(String algorithm, X509Certificate certificate) {
		try {
			return Base64URL.encode(MessageDigest.getInstance(algorithm).digest(certificate.getEncoded()));
		}
		catch (NoSuchAlgorithmException | CertificateEncodingException ex) {
			return null;
		}
	}

}
