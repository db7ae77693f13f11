package io.github.tokenrefresh.idp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.DebugLogging;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.ClassPathResource;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code client-assertion-file}: the client assertion is a JWT the platform writes to a file and rotates
 * (Kubernetes workload identity); a real Spring Authorization Server verifies each one with the client's JWK Set.
 */
@ExtendWith({ OutputCaptureExtension.class, DebugLogging.class })
class WorkloadIdentityTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Test
	void fileRewrittenBetweenTwoTokenRequestsIsSentWithItsNewContent(@TempDir Path directory, CapturedOutput output)
			throws Exception {
		try (MockWebServer jwks = Clients.jwkSet(Clients.publicJwk("rsa", null));
				AuthorizationServer server = AuthorizationServer.start(Clients.privateKeyJwt("workload",
						jwks.url("/jwks").toString(), SignatureAlgorithm.RS256))) {
			Path file = directory.resolve("token");
			String first = assertion("workload", server.tokenUri());
			Files.writeString(file, first + "\n");
			try (ConfigurableApplicationContext application = Clients.application(
					"token-refresh.clients.idp.token-uri=" + server.tokenUri(),
					"token-refresh.clients.idp.client-id=workload",
					"token-refresh.clients.idp.client-authentication-method=private_key_jwt",
					"token-refresh.clients.idp.client-assertion-file=" + file)) {
				TokenManager manager = application.getBean("idpTokenManager", TokenManager.class);
				assertThat(manager.getToken().block(TIMEOUT)).isNotNull();
				String second = assertion("workload", server.tokenUri());
				Files.writeString(file, second);
				assertThat(manager.refresh().block(TIMEOUT)).isNotNull();
				List<Map<String, String>> requests = server.tokenRequests();
				assertThat(requests).extracting((request) -> request.get("client_assertion"))
					.containsExactly(first, second);
				assertThat(requests).allSatisfy((request) -> assertThat(request)
					.containsEntry("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
					.containsEntry("client_id", "workload"));
				assertThat(server.acceptedAssertionIds()).hasSize(2);
				assertThat(output).doesNotContain(first).doesNotContain(second);
			}
		}
	}

	// What the platform would write: an RS256 assertion for the client, signed with the key its JWK Set publishes.
	private static String assertion(String clientId, String audience) throws Exception {
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

	private static RSAPrivateKey privateKey(String name) throws Exception {
		String pem = new ClassPathResource("idp/" + name + "-key.pem").getContentAsString(
				java.nio.charset.StandardCharsets.US_ASCII);
		String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
		return (RSAPrivateKey) KeyFactory.getInstance("RSA")
			.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
	}

}
