package io.github.tokenrefresh.idp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.DebugLogging;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
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
			String first = Clients.assertion("workload", server.tokenUri());
			Files.writeString(file, first + "\n");
			try (ConfigurableApplicationContext application = Clients.application(
					"token-refresh.clients.idp.token-uri=" + server.tokenUri(),
					"token-refresh.clients.idp.client-id=workload",
					"token-refresh.clients.idp.client-authentication-method=private_key_jwt",
					"token-refresh.clients.idp.client-assertion-file=" + file)) {
				TokenManager manager = application.getBean("idpTokenManager", TokenManager.class);
				assertThat(manager.getToken().block(TIMEOUT)).isNotNull();
				String second = Clients.assertion("workload", server.tokenUri());
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

}
