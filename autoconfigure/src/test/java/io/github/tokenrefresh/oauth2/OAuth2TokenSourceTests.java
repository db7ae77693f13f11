package io.github.tokenrefresh.oauth2;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;

import static org.assertj.core.api.Assertions.assertThat;

class OAuth2TokenSourceTests {

	private static final Duration VERIFY = Duration.ofSeconds(10);

	private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

	private static final String TOKEN_RESPONSE = "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\","
			+ "\"expires_in\":3600,\"refresh_token\":\"rt-1\",\"refresh_expires_in\":\"7200\","
			+ "\"scope\":\"read write\"}";

	private final MockWebServer server = new MockWebServer();

	private final TokenEndpoints endpoints = TokenEndpoints.builder()
		.minBackoff(Duration.ofMillis(5))
		.maxBackoff(Duration.ofMillis(20))
		.build();

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	@BeforeEach
	void start() throws IOException {
		this.server.start();
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	private ClientRegistration.Builder registration(AuthorizationGrantType grantType) {
		return ClientRegistration.withRegistrationId("billing")
			.clientId("billing-client")
			.clientSecret("s3cr3t")
			.authorizationGrantType(grantType)
			.scope("read", "write")
			.tokenUri(this.server.url("/oauth/token").toString());
	}

	private OAuth2TokenSource.Builder source(ClientRegistration registration) {
		return OAuth2TokenSource.builder("billing", this.endpoints).registration(registration).clock(this.clock);
	}

	private void respond(int code, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code)
			.setHeader("Content-Type", "application/json")
			.body(body)
			.build());
	}

	private Map<String, String> form(RecordedRequest request) {
		Map<String, String> form = new LinkedHashMap<>();
		for (String pair : request.getBody().utf8().split("&")) {
			String[] parts = pair.split("=", 2);
			form.put(URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
					URLDecoder.decode(parts[1], StandardCharsets.UTF_8));
		}
		return form;
	}

	private RecordedRequest take() throws InterruptedException {
		return this.server.takeRequest(5, TimeUnit.SECONDS);
	}

	private static String basic(String id, String secret) {
		return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void clientCredentialsWithBasicAuthenticationSendsTheSecretInTheAuthorizationHeader() throws Exception {
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire()).assertNext((token) -> {
			assertThat(token.getAccessToken()).isEqualTo("at-1");
			assertThat(token.getTokenType()).isEqualTo("Bearer");
			assertThat(token.getIssuedAt()).isEqualTo(NOW);
			assertThat(token.getExpiresAt()).isEqualTo(NOW.plusSeconds(3600));
			assertThat(token.getRefreshToken()).isEqualTo("rt-1");
			assertThat(token.getRefreshTokenExpiresAt()).isEqualTo(NOW.plusSeconds(7200));
			assertThat(token.getScopes()).containsExactlyInAnyOrder("read", "write");
		}).expectComplete().verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getUrl().encodedPath()).isEqualTo("/oauth/token");
		assertThat(request.getHeaders().get("Authorization")).isEqualTo(basic("billing-client", "s3cr3t"));
		assertThat(form(request)).containsEntry("grant_type", "client_credentials")
			.containsEntry("scope", "read write")
			.doesNotContainKeys("client_secret");
	}

	@Test
	void clientCredentialsWithPostAuthenticationSendsTheSecretAsFormFields() throws Exception {
		respond(200, TOKEN_RESPONSE);
		ClientRegistration registration = registration(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.build();
		StepVerifier.create(source(registration).build().acquire())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getHeaders().get("Authorization")).isNull();
		assertThat(form(request)).containsEntry("grant_type", "client_credentials")
			.containsEntry("client_id", "billing-client")
			.containsEntry("client_secret", "s3cr3t")
			.containsEntry("scope", "read write");
	}

	@Test
	void refreshSendsTheTokensRefreshTokenAndKeepsItWhenNoNewOneComes() throws Exception {
		respond(200, "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\",\"expires_in\":60}");
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		Token current = Token.builder("at-1").issuedAt(NOW).refreshToken("rt-1").build();
		StepVerifier.create(source.refresh(current)).assertNext((token) -> {
			assertThat(token.getAccessToken()).isEqualTo("at-2");
			assertThat(token.getExpiresAt()).isEqualTo(NOW.plusSeconds(60));
			assertThat(token.getRefreshToken()).isEqualTo("rt-1");
		}).expectComplete().verify(VERIFY);
		assertThat(form(take())).containsEntry("grant_type", "refresh_token")
			.containsEntry("refresh_token", "rt-1")
			.doesNotContainKey("scope");
	}

	@ParameterizedTest
	@ValueSource(ints = { 500, 502, 504 })
	void doesNotRepeatARefreshTokenGrantWhoseAnswerMayHaveBeenLost(int status) {
		// The server may have rotated rt-1 before its gateway failed: presenting it again would be a reuse.
		respond(status, "{}");
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.refresh(Token.builder("at-0").refreshToken("rt-1").build()))
			.expectErrorSatisfies((ex) -> {
				TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
				assertThat(acquisition.isOutcomeUnknown()).isTrue();
				assertThat(acquisition.isRejected()).isFalse();
			})
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void doesNotRepeatARefreshTokenGrantThatTimedOut() {
		TokenEndpoints quick = TokenEndpoints.builder()
			.timeout(Duration.ofMillis(300))
			.minBackoff(Duration.ofMillis(5))
			.maxBackoff(Duration.ofMillis(20))
			.build();
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "application/json")
			.body(TOKEN_RESPONSE)
			.headersDelay(2, TimeUnit.SECONDS)
			.build());
		OAuth2TokenSource source = OAuth2TokenSource.builder("billing", quick)
			.registration(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build())
			.clock(this.clock)
			.build();
		StepVerifier.create(source.refresh(Token.builder("at-0").refreshToken("rt-1").build()))
			.expectErrorSatisfies((ex) -> assertThat(((TokenAcquisitionException) ex).isOutcomeUnknown()).isTrue())
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@ParameterizedTest
	@ValueSource(ints = { 429, 503 })
	void repeatsARefreshTokenGrantTheServerSaidItDidNotProcess(int status) {
		respond(status, "{}");
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.refresh(Token.builder("at-0").refreshToken("rt-1").build()))
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void stillRepeatsAClientCredentialsGrantAfterAServerError() {
		respond(502, "{}");
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void refreshWithoutARefreshTokenAcquiresAnew() throws Exception {
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.refresh(Token.builder("at-0").build()))
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(form(take())).containsEntry("grant_type", "client_credentials");
	}

	@Test
	void refreshTokenGrantAcquiresWithTheSeedRefreshToken() throws Exception {
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.REFRESH_TOKEN).build())
			.refreshToken("seed-rt")
			.build();
		StepVerifier.create(source.acquire())
			.assertNext((token) -> assertThat(token.getRefreshToken()).isEqualTo("rt-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(form(take())).containsEntry("grant_type", "refresh_token")
			.containsEntry("refresh_token", "seed-rt");
	}

	@Test
	void refreshTokenGrantWithoutASeedFailsClearly() {
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.REFRESH_TOKEN).build()).build();
		StepVerifier.create(source.acquire())
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenAcquisitionException.class)
				.hasMessageContaining("needs a configured refresh token"))
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void passwordGrantPostsTheResourceOwnerCredentials() throws Exception {
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(OAuth2TokenSource.PASSWORD).build()).username("alice")
			.password("p@ss w0rd")
			.build();
		StepVerifier.create(source.acquire())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getHeaders().get("Authorization")).isEqualTo(basic("billing-client", "s3cr3t"));
		assertThat(request.getHeaders().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
		assertThat(form(request)).containsEntry("grant_type", "password")
			.containsEntry("username", "alice")
			.containsEntry("password", "p@ss w0rd")
			.containsEntry("scope", "read write");
	}

	@Test
	void passwordGrantWithPostAuthenticationSendsClientCredentialsAsFormFields() throws Exception {
		respond(200, TOKEN_RESPONSE);
		ClientRegistration registration = registration(new AuthorizationGrantType("password"))
			.clientAuthenticationMethod(ClientAuthenticationMethod.CLIENT_SECRET_POST)
			.build();
		StepVerifier.create(source(registration).username("alice").password("pw").build().acquire())
			.expectNextCount(1)
			.expectComplete()
			.verify(VERIFY);
		RecordedRequest request = take();
		assertThat(request.getHeaders().get("Authorization")).isNull();
		assertThat(form(request)).containsEntry("client_id", "billing-client").containsEntry("client_secret", "s3cr3t");
	}

	@Test
	void jwtBearerGrantSendsTheAssertion() throws Exception {
		respond(200, TOKEN_RESPONSE);
		String assertion = jwt(
				"{\"iss\":\"svc\",\"sub\":\"svc\",\"aud\":\"idp\",\"iat\":1772359200,\"exp\":1772359500}");
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.JWT_BEARER).build())
			.assertion(Mono.just(assertion))
			.build();
		StepVerifier.create(source.acquire())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(form(take())).containsEntry("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer")
			.containsEntry("assertion", assertion);
	}

	@Test
	void jwtBearerGrantFailsClearlyOnAnAssertionThatIsNotAJwt() {
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.JWT_BEARER).build())
			.assertion(Mono.just("not-a-jwt-secret-assertion"))
			.build();
		StepVerifier.create(source.acquire())
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenAcquisitionException.class)
				.hasMessageContaining("not a well-formed JWT")
				.hasMessageNotContaining("not-a-jwt-secret-assertion"))
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void looksTheRegistrationUpById() throws Exception {
		respond(200, TOKEN_RESPONSE);
		InMemoryReactiveClientRegistrationRepository repository = new InMemoryReactiveClientRegistrationRepository(
				registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build());
		OAuth2TokenSource source = OAuth2TokenSource.builder("billing", this.endpoints)
			.registration("billing", repository)
			.build();
		StepVerifier.create(source.acquire())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(form(take())).containsEntry("grant_type", "client_credentials");
	}

	@Test
	void unknownRegistrationIdFailsNamingTheId() {
		InMemoryReactiveClientRegistrationRepository repository = new InMemoryReactiveClientRegistrationRepository(
				registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build());
		OAuth2TokenSource source = OAuth2TokenSource.builder("billing", this.endpoints)
			.registration("payments", repository)
			.build();
		StepVerifier.create(source.acquire()).expectErrorSatisfies((ex) -> {
			assertThat(ex).isInstanceOf(TokenAcquisitionException.class).hasMessageContaining("'payments'");
			assertThat(((TokenAcquisitionException) ex).isRejected()).isFalse();
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void missingExpiresInMeansUnknownExpiry() {
		respond(200, "{\"access_token\":\"opaque\",\"token_type\":\"Bearer\"}");
		StepVerifier.create(source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build().acquire())
			.assertNext((token) -> assertThat(token.getExpiresAt()).isNull())
			.expectComplete()
			.verify(VERIFY);
	}

	@Test
	void nonPositiveExpiresInMeansUnknownExpiry() {
		respond(200, "{\"access_token\":\"opaque\",\"token_type\":\"bearer\",\"expires_in\":0}");
		StepVerifier.create(source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build().acquire())
			.assertNext((token) -> assertThat(token.getExpiresAt()).isNull())
			.expectComplete()
			.verify(VERIFY);
	}

	@Test
	void invalidGrantIsARejectionAfterExactlyOneRequest() {
		respond(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Refresh token expired\"}");
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.refresh(Token.builder("at-1").refreshToken("rt-1").build()))
			.expectErrorSatisfies((ex) -> {
				TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
				assertThat(acquisition.isRejected()).isTrue();
				assertThat(acquisition.getStatus()).isEqualTo(400);
				assertThat(acquisition.getErrorCode()).isEqualTo("invalid_grant");
				assertThat(acquisition.getErrorDescription()).isEqualTo("Refresh token expired");
			})
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void invalidClientIsARejectionAfterExactlyOneRequest() {
		respond(401, "{\"error\":\"invalid_client\",\"error_description\":\"Unknown client\"}");
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire()).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isTrue();
			assertThat(acquisition.getStatus()).isEqualTo(401);
			assertThat(acquisition.getErrorCode()).isEqualTo("invalid_client");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void errorObjectWithASuccessStatusIsAFailure() {
		respond(200, "{\"error\":\"invalid_grant\",\"error_description\":\"nope\"}");
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire()).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isTrue();
			assertThat(acquisition.getErrorCode()).isEqualTo("invalid_grant");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void retriesServerErrorsThenSucceeds() {
		respond(503, "{}");
		respond(503, "{}");
		respond(200, TOKEN_RESPONSE);
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire())
			.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("at-1"))
			.expectComplete()
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(3);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{not json", "<html><body>Login</body></html>", "{\"token_type\":\"Bearer\"}",
			"[{\"access_token\":\"at-1\"}]", "{\"access_token\":42,\"token_type\":\"Bearer\"}", "" })
	void unreadableResponsesFailWithoutBeingRejections(String body) {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("Content-Type", body.startsWith("<") ? "text/html" : "application/json")
			.body(body)
			.build());
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire()).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getMessage()).contains("billing");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void hugeResponseFailsClearly() {
		respond(200, "{\"access_token\":\"" + "x".repeat(10 * 1024 * 1024) + "\",\"token_type\":\"Bearer\"}");
		OAuth2TokenSource source = source(registration(AuthorizationGrantType.CLIENT_CREDENTIALS).build()).build();
		StepVerifier.create(source.acquire())
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenAcquisitionException.class)
				.hasMessageContaining("larger than"))
			.verify(VERIFY);
	}

	@Test
	void passwordGrantRegistrationBuildsWithSpringsBuilder() {
		ClientRegistration registration = registration(new AuthorizationGrantType("password")).build();
		assertThat(registration.getAuthorizationGrantType()).isEqualTo(OAuth2TokenSource.PASSWORD);
	}

	static String jwt(String claims) {
		Base64.Encoder encoder = Base64.getUrlEncoder().withoutPadding();
		return encoder.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
				+ encoder.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
				+ encoder.encodeToString("signature".getBytes(StandardCharsets.UTF_8));
	}

}
