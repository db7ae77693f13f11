package io.github.tokenrefresh.idp;

import java.io.InputStream;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.oauth2.server.authorization.settings.ClientSettings;

/**
 * Test fixtures shared by the identity provider tests: registered clients of the authorization server, the
 * certificates under {@code src/test/resources/idp} (made with openssl, see its README) and an application that
 * uses the starter configured by properties alone.
 */
public final class Clients {

	public static final String SECRET_JWT_SECRET = "a-client-secret-of-more-than-32-bytes-for-hs256";

	private Clients() {
	}

	public static RegisteredClient secretBasic(String clientId) {
		return RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId(clientId)
			.clientSecret("{noop}secret")
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scope("orders.read")
			.build();
	}

	public static RegisteredClient tokenExchange(String clientId) {
		return RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId(clientId)
			.clientSecret("{noop}exchanger-secret")
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_BASIC)
			.authorizationGrantType(AuthorizationGrantType.TOKEN_EXCHANGE)
			.scope("orders.read")
			.build();
	}

	public static RegisteredClient privateKeyJwt(String clientId, String jwkSetUrl, SignatureAlgorithm algorithm) {
		return RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId(clientId)
			.clientAuthenticationMethod(ClientAuthenticationMethod.PRIVATE_KEY_JWT)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scope("orders.read")
			.clientSettings(ClientSettings.builder()
				.jwkSetUrl(jwkSetUrl)
				.tokenEndpointAuthenticationSigningAlgorithm(algorithm)
				.build())
			.build();
	}

	public static RegisteredClient secretJwt(String clientId) {
		// The assertion is verified with the stored secret itself, so it is not encoded.
		return RegisteredClient.withId(UUID.randomUUID().toString())
			.clientId(clientId)
			.clientSecret(SECRET_JWT_SECRET)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_JWT)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.scope("orders.read")
			.clientSettings(
					ClientSettings.builder().tokenEndpointAuthenticationSigningAlgorithm(MacAlgorithm.HS256).build())
			.build();
	}

	public static X509Certificate certificate(String name) throws Exception {
		try (InputStream in = new ClassPathResource("idp/" + name + "-cert.pem").getInputStream()) {
			return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
		}
	}

	/**
	 * Return the public key of a fixture certificate as a JWK, with the certificate's SHA-256 thumbprint and the
	 * given key ID.
	 */
	public static JWK publicJwk(String name, String keyId) throws Exception {
		X509Certificate certificate = certificate(name);
		if (certificate.getPublicKey() instanceof RSAPublicKey rsa) {
			return new RSAKey.Builder(rsa).keyID(keyId).x509CertSHA256Thumbprint(sha256(certificate)).build();
		}
		ECPublicKey ec = (ECPublicKey) certificate.getPublicKey();
		return new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).keyID(keyId)
			.x509CertSHA256Thumbprint(sha256(certificate))
			.build();
	}

	public static Base64URL sha256(X509Certificate certificate) throws Exception {
		return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
	}

	public static Base64URL sha1(X509Certificate certificate) throws Exception {
		return Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(certificate.getEncoded()));
	}

	// What the platform would write: an RS256 assertion for the client, signed with the key its JWK Set publishes.
	public static String assertion(String clientId, String audience) throws Exception {
		Instant now = Instant.now();
		JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(clientId)
			.subject(clientId)
			.audience(audience)
			.jwtID(UUID.randomUUID().toString())
			.issueTime(Date.from(now))
			.expirationTime(Date.from(now.plusSeconds(300)))
			.build();
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
		jwt.sign(new RSASSASigner(privateKey("rsa")));
		return jwt.serialize();
	}

	static RSAPrivateKey privateKey(String name) throws Exception {
		String pem = new ClassPathResource("idp/" + name + "-key.pem").getContentAsString(
				java.nio.charset.StandardCharsets.US_ASCII);
		String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		return (RSAPrivateKey) KeyFactory.getInstance("RSA")
			.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
	}

	/**
	 * Serve a JWK Set at every path of a new mock server.
	 */
	public static MockWebServer jwkSet(JWK... keys) throws Exception {
		MockWebServer server = new MockWebServer();
		String body = new JWKSet(List.of(keys)).toString(true);
		server.setDispatcher(new mockwebserver3.Dispatcher() {

			@Override
			public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
				return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(body).build();
			}

		});
		server.start();
		return server;
	}

	/**
	 * Start an application that uses the starter, configured by the given properties.
	 */
	public static ConfigurableApplicationContext application(String... properties) {
		List<String> all = new ArrayList<>(List.of(properties));
		all.add("spring.main.banner-mode=off");
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.run();
	}

	/**
	 * The properties of a PEM SSL bundle holding a fixture key and its certificate.
	 */
	public static String[] pemBundle(String bundle, String name) {
		String prefix = "spring.ssl.bundle.pem." + bundle + ".keystore.";
		return new String[] { prefix + "private-key=classpath:idp/" + name + "-key.pem",
				prefix + "certificate=classpath:idp/" + name + "-cert.pem" };
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

}
