package io.github.tokenrefresh.login;

import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

class LoginTokenSourceTests {

	private static final Duration VERIFY = Duration.ofSeconds(10);

	private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

	private final MockWebServer server = new MockWebServer();

	private final TokenEndpoints endpoints = TokenEndpoints.builder()
		.minBackoff(Duration.ofMillis(5))
		.maxBackoff(Duration.ofMillis(20))
		.build();

	private URI loginUri;

	private URI refreshUri;

	@BeforeEach
	void start() throws IOException {
		this.server.start();
		this.loginUri = this.server.url("/auth/login").uri();
		this.refreshUri = this.server.url("/auth/refresh").uri();
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	private LoginTokenSource.Builder source() {
		return LoginTokenSource.builder("orders", this.loginUri, this.endpoints)
			.body(Map.of("username", "alice", "password", "p@ss"))
			.clock(Clock.fixed(NOW, ZoneOffset.UTC));
	}

	private void respond(int code, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code)
			.setHeader("Content-Type", "application/json")
			.body(body)
			.build());
	}

	private RecordedRequest take() throws InterruptedException {
		return this.server.takeRequest(5, TimeUnit.SECONDS);
	}

	private static Map<?, ?> json(RecordedRequest request) {
		return JsonMapper.builder().build().readValue(request.getBody().utf8(), Map.class);
	}

	@Test
	void postsTheLoginBodyAsJsonAndReadsTheAnswer() throws Exception {
		respond(200, "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-1\",\"expires_in\":300,"
				+ "\"refresh_expires_in\":1800}");
		StepVerifier.create(source().build().acquire()).assertNext((token) -> {
			assertThat(token.getAccessToken()).isEqualTo("at-1");
			assertThat(token.getRefreshToken()).isEqualTo("rt-1");
			assertThat(token.getIssuedAt()).isEqualTo(NOW);
			assertThat(token.getExpiresAt()).isEqualTo(NOW.plusSeconds(300));
			assertThat(token.getRefreshTokenExpiresAt()).isEqualTo(NOW.plusSeconds(1800));
		}).expectComplete().verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getMethod()).isEqualTo("POST");
		assertThat(request.getUrl().encodedPath()).isEqualTo("/auth/login");
		assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
		assertThat(json(request)).isEqualTo(Map.of("username", "alice", "password", "p@ss"));
	}

	@Test
	void postsTheLoginBodyAsFormFields() throws Exception {
		respond(200, "{\"access_token\":\"at-1\"}");
		StepVerifier.create(source().format(LoginFormat.FORM).build().acquire())
			.assertNext((token) -> assertThat(token.getExpiresAt()).isNull())
			.expectComplete()
			.verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getHeaders().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
		assertThat(request.getBody().utf8()).contains("username=alice").contains("password=p%40ss");
	}

	@Test
	void readsNestedPaths() {
		respond(200, "{\"data\":{\"token\":\"at-1\",\"refresh\":{\"value\":\"rt-1\"},\"ttl\":\"120\"}}");
		LoginTokenSource source = source().accessTokenPath("data.token")
			.refreshTokenPath("data.refresh.value")
			.expiresInPath("data.ttl")
			.build();
		StepVerifier.create(source.acquire()).assertNext((token) -> {
			assertThat(token.getAccessToken()).isEqualTo("at-1");
			assertThat(token.getRefreshToken()).isEqualTo("rt-1");
			assertThat(token.getExpiresAt()).isEqualTo(NOW.plusSeconds(120));
		}).expectComplete().verify(VERIFY);
	}

	@Test
	void refreshPostsTheRefreshTokenUnderTheConfiguredField() throws Exception {
		respond(200, "{\"access_token\":\"at-2\",\"expires_in\":60}");
		LoginTokenSource source = source().refreshUri(this.refreshUri).refreshTokenField("refreshToken").build();
		StepVerifier.create(source.refresh(Token.builder("at-1").refreshToken("rt-1").build()))
			.assertNext((token) -> {
				assertThat(token.getAccessToken()).isEqualTo("at-2");
				assertThat(token.getRefreshToken()).isNull();
			})
			.expectComplete()
			.verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getUrl().encodedPath()).isEqualTo("/auth/refresh");
		assertThat(json(request)).isEqualTo(Map.of("refreshToken", "rt-1"));
	}

	@Test
	void refreshWithoutARefreshUriLogsInAgain() throws Exception {
		respond(200, "{\"access_token\":\"at-2\"}");
		StepVerifier.create(source().build().refresh(Token.builder("at-1").refreshToken("rt-1").build()))
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-2"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(take().getUrl().encodedPath()).isEqualTo("/auth/login");
	}

	@Test
	void rejectedRefreshIsARejection() {
		respond(401, "{\"error\":\"invalid_grant\",\"error_description\":\"Session expired\"}");
		LoginTokenSource source = source().refreshUri(this.refreshUri).build();
		StepVerifier.create(source.refresh(Token.builder("at-1").refreshToken("rt-1").build()))
			.expectErrorSatisfies((ex) -> {
				TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
				assertThat(acquisition.isRejected()).isTrue();
				assertThat(acquisition.getStatus()).isEqualTo(401);
				assertThat(acquisition.getErrorCode()).isEqualTo("invalid_grant");
				assertThat(acquisition.getErrorDescription()).isEqualTo("Session expired");
			})
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{not json", "<html><body>Sign in</body></html>", "{\"token\":\"at-1\"}",
			"[{\"access_token\":\"at-1\"}]", "{\"access_token\":42}", "{\"access_token\":{\"v\":1}}",
			"{\"access_token\":\"\"}", "" })
	void unreadableAnswersFailWithoutBeingRejections(String body) {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("Content-Type", body.startsWith("<") ? "text/html" : "application/json")
			.body(body)
			.build());
		StepVerifier.create(source().build().acquire()).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getMessage()).contains("orders").doesNotContain("at-1").doesNotContain("Sign in");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void unusableLifetimesMeanUnknownExpiryAndHugeOnesAreCapped() {
		respond(200, "{\"access_token\":\"a\",\"expires_in\":-5,\"refresh_expires_in\":\"soon\"}");
		respond(200, "{\"access_token\":\"a\",\"expires_in\":1e300,\"refresh_expires_in\":\"99999999999999999999\"}");
		respond(200, "{\"access_token\":\"a\",\"expires_in\":90.7,\"refresh_expires_in\":true}");
		LoginTokenSource source = source().build();
		StepVerifier.create(source.acquire()).assertNext((token) -> {
			assertThat(token.getExpiresAt()).isNull();
			assertThat(token.getRefreshTokenExpiresAt()).isNull();
		}).expectComplete().verify(VERIFY);
		StepVerifier.create(source.acquire()).assertNext((token) -> {
			assertThat(token.getExpiresAt()).isEqualTo(NOW.plus(LoginTokenSource.MAX_LIFETIME));
			assertThat(token.getRefreshTokenExpiresAt()).isEqualTo(NOW.plus(LoginTokenSource.MAX_LIFETIME));
		}).expectComplete().verify(VERIFY);
		StepVerifier.create(source.acquire()).assertNext((token) -> {
			assertThat(token.getExpiresAt()).isEqualTo(NOW.plusSeconds(90));
			assertThat(token.getRefreshTokenExpiresAt()).isNull();
		}).expectComplete().verify(VERIFY);
	}

	@Test
	void managerKeepsTheOldRefreshTokenWhenARefreshAnswerHasNone() throws Exception {
		respond(200, "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-1\",\"expires_in\":3600}");
		respond(200, "{\"access_token\":\"at-2\",\"expires_in\":3600}");
		Clock clock = new TickingClock();
		LoginTokenSource source = source().refreshUri(this.refreshUri).clock(clock).build();
		TokenManager manager = TokenManager.builder("orders", source).clock(clock).build();
		StepVerifier.create(manager.getToken().then(manager.refresh()))
			.assertNext((token) -> {
				assertThat(token.getAccessToken()).isEqualTo("at-2");
				assertThat(token.getRefreshToken()).isEqualTo("rt-1");
			})
			.expectComplete()
			.verify(VERIFY);
		assertThat(take().getUrl().encodedPath()).isEqualTo("/auth/login");
		assertThat(json(take())).isEqualTo(Map.of("refresh_token", "rt-1"));
	}

	@Test
	void managerLogsInOnceWhenTheRefreshTokenIsRejected() throws Exception {
		respond(200, "{\"access_token\":\"at-1\",\"refresh_token\":\"rt-1\",\"expires_in\":3600}");
		respond(400, "{\"error\":\"invalid_grant\"}");
		respond(200, "{\"access_token\":\"at-2\",\"refresh_token\":\"rt-2\",\"expires_in\":3600}");
		Clock clock = new TickingClock();
		LoginTokenSource source = source().refreshUri(this.refreshUri).clock(clock).build();
		TokenManager manager = TokenManager.builder("orders", source).clock(clock).build();
		StepVerifier.create(manager.getToken().then(manager.refresh()))
			.assertNext((token) -> {
				assertThat(token.getAccessToken()).isEqualTo("at-2");
				assertThat(token.getRefreshToken()).isEqualTo("rt-2");
			})
			.expectComplete()
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(3);
		assertThat(take().getUrl().encodedPath()).isEqualTo("/auth/login");
		assertThat(take().getUrl().encodedPath()).isEqualTo("/auth/refresh");
		assertThat(take().getUrl().encodedPath()).isEqualTo("/auth/login");
	}

	/**
	 * A clock that moves one second on every reading, so that each token is newer than the last.
	 */
	static final class TickingClock extends Clock {

		private final AtomicLong seconds = new AtomicLong(NOW.getEpochSecond());

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			return this;
		}

		@Override
		public Instant instant() {
			return Instant.ofEpochSecond(this.seconds.getAndIncrement());
		}

	}

}
