package io.github.tokenrefresh.idp;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import com.nimbusds.jwt.SignedJWT;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * {@code issuer-uri}: the token endpoint is discovered from a real Spring Authorization Server's OpenID Connect
 * configuration or RFC 8414 metadata, on first use, so that the application starts while the issuer is down.
 */
class IssuerDiscoveryTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	@Test
	void tokenEndpointIsDiscoveredFromTheOpenIdConfiguration() throws Exception {
		try (AuthorizationServer server = AuthorizationServer.start(Clients.secretBasic("orders"));
				ConfigurableApplicationContext application = Clients.application(issuerClient(server.issuer()))) {
			Token token = manager(application).getToken().block(TIMEOUT);
			assertThat(SignedJWT.parse(token.getAccessToken()).getJWTClaimsSet().getSubject()).isEqualTo("orders");
			assertThat(server.metadataRequests()).containsExactly("/.well-known/openid-configuration");
			assertThat(server.tokenRequests()).hasSize(1);
			// Discovered once: a second token call asks no metadata.
			assertThat(manager(application).refresh().block(TIMEOUT)).isNotNull();
			assertThat(server.metadataRequests()).hasSize(1);
		}
	}

	@Test
	void tokenEndpointIsDiscoveredFromRfc8414MetadataWhenTheIssuerIsNoOpenIdProvider() throws Exception {
		try (AuthorizationServer server = AuthorizationServer.start(0, false, Clients.secretBasic("orders"));
				ConfigurableApplicationContext application = Clients.application(issuerClient(server.issuer()))) {
			Token token = manager(application).getToken().block(TIMEOUT);
			assertThat(token).isNotNull();
			assertThat(server.metadataRequests()).containsExactly("/.well-known/openid-configuration",
					"/.well-known/oauth-authorization-server");
			assertThat(server.tokenRequests()).hasSize(1);
		}
	}

	@Test
	void applicationStartsWhileTheIssuerIsDownAndItsFirstUseNamesClientAndIssuer() throws Exception {
		int port = freePort();
		String issuer = "http://localhost:" + port;
		try (ConfigurableApplicationContext application = Clients.application(issuerClient(issuer))) {
			TokenManager manager = manager(application);
			assertThatExceptionOfType(TokenAcquisitionException.class)
				.isThrownBy(() -> manager.getToken().block(TIMEOUT))
				.withMessageContaining("'idp'")
				.withMessageContaining(issuer)
				.withMessageContaining("issuer");
			try (AuthorizationServer server = AuthorizationServer.start(port, true, Clients.secretBasic("orders"))) {
				assertThat(manager.getToken().block(TIMEOUT)).isNotNull();
				assertThat(server.tokenRequests()).hasSize(1);
			}
		}
	}

	@Test
	void metadataThatNamesAnotherIssuerIsRefused() throws Exception {
		try (MockWebServer impostor = new MockWebServer()) {
			impostor.setDispatcher(new Dispatcher() {

				@Override
				public MockResponse dispatch(RecordedRequest request) {
					return new MockResponse.Builder().addHeader("Content-Type", "application/json")
						.body("{\"issuer\":\"https://elsewhere.example\",\"token_endpoint\":\""
								+ request.getUrl().resolve("/token") + "\"}")
						.build();
				}

			});
			impostor.start();
			String issuer = impostor.url("/").toString().replaceAll("/$", "");
			try (ConfigurableApplicationContext application = Clients.application(issuerClient(issuer))) {
				assertThatExceptionOfType(TokenAcquisitionException.class)
					.isThrownBy(() -> manager(application).getToken().block(TIMEOUT))
					.withMessageContaining("the metadata names another issuer");
				assertThat(impostor.getRequestCount()).isEqualTo(1);
			}
		}
	}

	private static TokenManager manager(ConfigurableApplicationContext application) {
		return application.getBean("idpTokenManager", TokenManager.class);
	}

	private static String[] issuerClient(String issuer) {
		return new String[] { "token-refresh.clients.idp.issuer-uri=" + issuer,
				"token-refresh.clients.idp.client-id=orders", "token-refresh.clients.idp.client-secret=secret" };
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
