package io.github.tokenrefresh.idp;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code grant-type: token-exchange} (RFC 8693) against a real Spring Authorization Server: the subject token is
 * another client's access token or the content of a file.
 */
class TokenExchangeTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";

	private static AuthorizationServer server;

	@BeforeAll
	static void startServer() {
		server = AuthorizationServer.start(Clients.secretBasic("subject"), Clients.tokenExchange("exchanger"));
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@Test
	void subjectClientsAccessTokenIsExchangedForOneOfTheExchangingClient() throws Exception {
		String c = "token-refresh.clients.";
		try (ConfigurableApplicationContext application = Clients.application(
				c + "subject.token-uri=" + server.tokenUri(), c + "subject.client-id=subject",
				c + "subject.client-secret=secret", c + "exchanged.token-uri=" + server.tokenUri(),
				c + "exchanged.client-id=exchanger", c + "exchanged.client-secret=exchanger-secret",
				c + "exchanged.grant-type=token-exchange", c + "exchanged.subject-client=subject",
				c + "exchanged.parameters.audience=orders-api")) {
			Token exchanged = application.getBean("exchangedTokenManager", TokenManager.class)
				.getToken()
				.block(TIMEOUT);
			Token subject = application.getBean("subjectTokenManager", TokenManager.class).getToken().block(TIMEOUT);
			Map<String, String> request = last();
			assertThat(request).containsEntry("grant_type", TOKEN_EXCHANGE)
				.containsEntry("subject_token", subject.getAccessToken())
				.containsEntry("subject_token_type", "urn:ietf:params:oauth:token-type:access_token")
				.containsEntry("audience", "orders-api")
				.doesNotContainKey("actor_token");
			JWTClaimsSet claims = SignedJWT.parse(exchanged.getAccessToken()).getJWTClaimsSet();
			assertThat(claims.getSubject()).isEqualTo("subject");
			assertThat(exchanged.getAccessToken()).isNotEqualTo(subject.getAccessToken());
		}
	}

	@Test
	void subjectTokenFileIsReadForEachExchange(@TempDir Path directory) throws Exception {
		String c = "token-refresh.clients.";
		Path file = directory.resolve("subject-token");
		try (ConfigurableApplicationContext subjects = Clients.application(c + "subject.token-uri=" + server.tokenUri(),
				c + "subject.client-id=subject", c + "subject.client-secret=secret")) {
			TokenManager subject = subjects.getBean("subjectTokenManager", TokenManager.class);
			String first = subject.getToken().block(TIMEOUT).getAccessToken();
			Files.writeString(file, first + "\n");
			try (ConfigurableApplicationContext application = Clients.application(
					c + "exchanged.token-uri=" + server.tokenUri(), c + "exchanged.client-id=exchanger",
					c + "exchanged.client-secret=exchanger-secret", c + "exchanged.grant-type=token-exchange",
					c + "exchanged.subject-token-file=" + file)) {
				TokenManager exchanged = application.getBean("exchangedTokenManager", TokenManager.class);
				assertThat(exchanged.getToken().block(TIMEOUT)).isNotNull();
				assertThat(last()).containsEntry("subject_token", first);
				String second = subject.refresh().block(TIMEOUT).getAccessToken();
				Files.writeString(file, second);
				assertThat(exchanged.refresh().block(TIMEOUT)).isNotNull();
				assertThat(last()).containsEntry("grant_type", TOKEN_EXCHANGE).containsEntry("subject_token", second);
			}
		}
	}

	private static Map<String, String> last() {
		List<Map<String, String>> requests = server.tokenRequests();
		return requests.get(requests.size() - 1);
	}

}
