package io.github.tokenrefresh.oauth2;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import io.github.tokenrefresh.test.DebugLogging;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.client.registration.ClientRegistration;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ OutputCaptureExtension.class, DebugLogging.class })
class OAuth2SecretsTests {

	private static final String CLIENT_SECRET = "client-secret-7f3a9c1e5b2d";

	private static final String PASSWORD = "resource-owner-password-4e8b";

	private static final String ACCESS_TOKEN_1 = "access-token-one-9d2c7a6f1b3e";

	private static final String ACCESS_TOKEN_2 = "access-token-two-5a1e8c3d7f9b";

	private static final String REFRESH_TOKEN_1 = "refresh-token-one-2b6d4f8a0c1e";

	private static final String REFRESH_TOKEN_2 = "refresh-token-two-8e0a2c4b6d9f";

	private final MockWebServer server = new MockWebServer();

	@BeforeEach
	void start() throws IOException {
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	private void respond(int code, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code)
			.setHeader("Content-Type", "application/json")
			.body(body)
			.build());
	}

	@Test
	void passwordGrantAcquireRefreshAndRejectionLeaveNoSecretInLogsOrMessages(CapturedOutput output) {
		respond(200, "{\"access_token\":\"" + ACCESS_TOKEN_1 + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
				+ "\"refresh_token\":\"" + REFRESH_TOKEN_1 + "\"}");
		respond(200, "{\"access_token\":\"" + ACCESS_TOKEN_2 + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
				+ "\"refresh_token\":\"" + REFRESH_TOKEN_2 + "\"}");
		respond(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token revoked\"}");
		respond(401, "{\"error\":\"invalid_client\"}");
		respond(400, "{\"error\":\"invalid_grant\"}");
		ClientRegistration registration = ClientRegistration.withRegistrationId("billing")
			.clientId("billing-client")
			.clientSecret(CLIENT_SECRET)
			.authorizationGrantType(OAuth2TokenSource.PASSWORD)
			.tokenUri(this.server.url("/oauth/token").toString())
			.build();
		TokenEndpoints endpoints = TokenEndpoints.builder().maxRetries(0).build();
		OAuth2TokenSource source = OAuth2TokenSource.builder("billing", endpoints)
			.registration(registration)
			.username("alice")
			.password(PASSWORD)
			.build();
		TokenManager manager = TokenManager.builder("billing", source).build();
		List<Throwable> errors = new ArrayList<>();
		StepVerifier.create(manager.getToken())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo(ACCESS_TOKEN_1))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		StepVerifier.create(manager.refresh())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo(ACCESS_TOKEN_2))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		// The refresh token is refused, the engine falls back to the password grant, which is refused too.
		StepVerifier.create(manager.refresh()).expectErrorSatisfies((ex) -> {
			assertThat(ex).isInstanceOf(TokenAcquisitionException.class);
			assertThat(((TokenAcquisitionException) ex).isRejected()).isTrue();
			errors.add(ex);
		}).verify(Duration.ofSeconds(10));
		StepVerifier.create(source.refresh(Token.builder(ACCESS_TOKEN_2).refreshToken(REFRESH_TOKEN_2).build()))
			.expectErrorSatisfies((ex) -> {
				assertThat(((TokenAcquisitionException) ex).getErrorCode()).isEqualTo("invalid_grant");
				errors.add(ex);
			})
			.verify(Duration.ofSeconds(10));
		assertThat(this.server.getRequestCount()).isEqualTo(5);
		assertThat(output.getOut()).contains("billing");
		String basic = Base64.getEncoder()
			.encodeToString(("billing-client:" + CLIENT_SECRET).getBytes(StandardCharsets.UTF_8));
		for (String secret : new String[] { CLIENT_SECRET, PASSWORD, ACCESS_TOKEN_1, ACCESS_TOKEN_2, REFRESH_TOKEN_1,
				REFRESH_TOKEN_2, basic }) {
			assertThat(output.getAll()).doesNotContain(secret);
			for (Throwable error : errors) {
				for (Throwable cause = error; cause != null; cause = cause.getCause()) {
					assertThat(String.valueOf(cause.getMessage())).doesNotContain(secret);
					assertThat(cause.toString()).doesNotContain(secret);
				}
			}
		}
		assertThat(source.toString()).doesNotContain(CLIENT_SECRET).doesNotContain(PASSWORD);
	}

}
