package io.github.tokenrefresh.login;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.test.StepVerifier;

import io.github.tokenrefresh.test.DebugLogging;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith({ OutputCaptureExtension.class, DebugLogging.class })
class LoginSecretsTests {

	private static final String PASSWORD = "login-password-3c9e1a7b5d2f";

	private static final String ACCESS_TOKEN_1 = "login-access-one-6b2e9d4a8c1f";

	private static final String ACCESS_TOKEN_2 = "login-access-two-1f7c3a9e5b0d";

	private static final String REFRESH_TOKEN_1 = "login-refresh-one-4a8d2f6c0e3b";

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

	@ParameterizedTest
	@EnumSource(LoginFormat.class)
	void loginRefreshAndRejectionLeaveNoSecretInLogsOrMessages(LoginFormat format, CapturedOutput output) {
		respond(200, "{\"data\":{\"token\":\"" + ACCESS_TOKEN_1 + "\",\"refresh\":\"" + REFRESH_TOKEN_1
				+ "\",\"expires_in\":3600}}");
		respond(200, "{\"data\":{\"token\":\"" + ACCESS_TOKEN_2 + "\",\"expires_in\":3600}}");
		respond(401, "{\"error\":\"invalid_grant\",\"error_description\":\"Session revoked\"}");
		respond(401, "{\"error\":\"invalid_client\"}");
		LoginTokenSource source = LoginTokenSource
			.builder("orders", this.server.url("/login").uri(), TokenEndpoints.builder().maxRetries(0).build())
			.format(format)
			.body(Map.of("user", "alice", "password", PASSWORD))
			.refreshUri(this.server.url("/refresh").uri())
			.accessTokenPath("data.token")
			.refreshTokenPath("data.refresh")
			.expiresInPath("data.expires_in")
			.build();
		TokenManager manager = TokenManager.builder("orders", source).build();
		List<Throwable> errors = new ArrayList<>();
		StepVerifier.create(manager.getToken())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo(ACCESS_TOKEN_1))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		StepVerifier.create(manager.refresh())
			.assertNext((token) -> assertThat(token.getRefreshToken()).isEqualTo(REFRESH_TOKEN_1))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
		StepVerifier.create(manager.refresh()).expectErrorSatisfies((ex) -> {
			assertThat(((TokenAcquisitionException) ex).isRejected()).isTrue();
			errors.add(ex);
		}).verify(Duration.ofSeconds(10));
		assertThat(this.server.getRequestCount()).isEqualTo(4);
		assertThat(output.getOut()).contains("orders");
		for (String secret : new String[] { PASSWORD, ACCESS_TOKEN_1, ACCESS_TOKEN_2, REFRESH_TOKEN_1 }) {
			assertThat(output.getAll()).doesNotContain(secret);
			for (Throwable error : errors) {
				for (Throwable cause = error; cause != null; cause = cause.getCause()) {
					assertThat(cause.toString()).doesNotContain(secret);
				}
			}
		}
		assertThat(source.toString()).doesNotContain(PASSWORD);
	}

}
