package io.github.tokenrefresh.endpoint;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

class TokenEndpointsTests {

	private static final Duration VERIFY = Duration.ofSeconds(10);

	private final MockWebServer server = new MockWebServer();

	private URI uri;

	@BeforeEach
	void start() throws IOException {
		this.server.start();
		this.uri = this.server.url("/token").uri();
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	private TokenEndpoints.Builder endpoints() {
		return TokenEndpoints.builder().minBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(50));
	}

	private Mono<String> post(TokenEndpoints endpoints) {
		return endpoints.call("billing", this.uri, () -> endpoints.webClient()
			.post()
			.uri(this.uri)
			.bodyValue("grant_type=client_credentials")
			.exchangeToMono((response) -> response.bodyToMono(String.class)));
	}

	private static MockResponse status(int code) {
		return new MockResponse.Builder().code(code).build();
	}

	private static MockResponse json(int code, String body) {
		return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
	}

	@Test
	void retriesServerErrorsUntilTheEndpointAnswers() {
		this.server.enqueue(status(503));
		this.server.enqueue(status(503));
		this.server.enqueue(json(200, "{\"ok\":true}"));
		StepVerifier.create(post(endpoints().build())).expectNext("{\"ok\":true}").expectComplete().verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(3);
	}

	@Test
	void waitsForRetryAfterOnTooManyRequests() {
		this.server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "1").build());
		this.server.enqueue(json(200, "{}"));
		TokenEndpoints endpoints = endpoints().maxBackoff(Duration.ofSeconds(5)).build();
		StepVerifier.create(post(endpoints))
			.expectSubscription()
			.expectNoEvent(Duration.ofMillis(800))
			.expectNext("{}")
			.expectComplete()
			.verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void capsRetryAfterAtMaxBackoff() {
		this.server.enqueue(new MockResponse.Builder().code(503).setHeader("Retry-After", "3600").build());
		this.server.enqueue(json(200, "{}"));
		TokenEndpoints endpoints = endpoints().maxBackoff(Duration.ofMillis(100)).build();
		StepVerifier.create(post(endpoints)).expectNext("{}").expectComplete().verify(Duration.ofSeconds(3));
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void readsRetryAfterAsSecondsOrHttpDate() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "7");
		assertThat(TokenEndpoints.retryAfter(headers)).isEqualTo(Duration.ofSeconds(7));
		headers.set(HttpHeaders.RETRY_AFTER,
				DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(30)));
		assertThat(TokenEndpoints.retryAfter(headers)).isBetween(Duration.ofSeconds(25), Duration.ofSeconds(30));
		headers.set(HttpHeaders.RETRY_AFTER, "soon");
		assertThat(TokenEndpoints.retryAfter(headers)).isNull();
	}

	@Test
	void rejectsInvalidGrantWithoutRetrying() {
		this.server.enqueue(json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Token is not active\"}"));
		StepVerifier.create(post(endpoints().build())).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isTrue();
			assertThat(acquisition.getStatus()).isEqualTo(400);
			assertThat(acquisition.getErrorCode()).isEqualTo("invalid_grant");
			assertThat(acquisition.getErrorDescription()).isEqualTo("Token is not active");
			assertThat(acquisition.getMessage()).contains("billing", "400", "invalid_grant", "Token is not active");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void rejectsInvalidClientWithoutRetrying() {
		this.server.enqueue(json(401, "{\"error\":\"invalid_client\",\"error_description\":\"Bad client\"}"));
		StepVerifier.create(post(endpoints().build())).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isTrue();
			assertThat(acquisition.getStatus()).isEqualTo(401);
			assertThat(acquisition.getErrorCode()).isEqualTo("invalid_client");
			assertThat(acquisition.getErrorDescription()).isEqualTo("Bad client");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void doesNotRetryForbiddenAndDoesNotCallItARejection() {
		this.server.enqueue(status(403));
		this.server.enqueue(json(200, "{}"));
		StepVerifier.create(post(endpoints().build())).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getStatus()).isEqualTo(403);
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void failsAfterRetriesWhenServerErrorsPersistWithoutQuotingTheBody() {
		for (int i = 0; i < 3; i++) {
			this.server.enqueue(new MockResponse.Builder().code(500)
				.setHeader("Content-Type", "text/html")
				.body("<html>stack trace with secret-body-marker</html>")
				.build());
		}
		StepVerifier.create(post(endpoints().maxRetries(2).build())).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getStatus()).isEqualTo(500);
			assertThat(acquisition.getMessage()).contains("3 attempts").doesNotContain("secret-body-marker");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(3);
	}

	@Test
	void timesOutAnEndpointThatNeverAnswers() {
		this.server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
		TokenEndpoints endpoints = endpoints().timeout(Duration.ofMillis(300)).maxRetries(0).build();
		StepVerifier.create(post(endpoints)).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getMessage()).contains("no answer within 300 ms");
		}).verify(Duration.ofSeconds(3));
	}

	@Test
	void withTimeoutChangesOnlyTheTimeout() {
		this.server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
		this.server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
		TokenEndpoints shared = endpoints().timeout(Duration.ofSeconds(30))
			.maxRetries(1)
			.minBackoff(Duration.ofMillis(10))
			.maxBackoff(Duration.ofMillis(10))
			.build();
		TokenEndpoints faster = shared.withTimeout(Duration.ofMillis(300));
		assertThat(faster.webClient()).isSameAs(shared.webClient());
		assertThat(shared.withTimeout(Duration.ofSeconds(30))).isSameAs(shared);
		StepVerifier.create(post(faster))
			.expectErrorSatisfies((ex) -> assertThat(ex).hasMessageContaining("no answer within 300 ms")
				.hasMessageContaining("(2 attempts)"))
			.verify(Duration.ofSeconds(5));
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void failsClearlyOnAHugeBody() {
		this.server.enqueue(json(200, "{\"a\":\"" + "x".repeat(10 * 1024 * 1024) + "\"}"));
		StepVerifier.create(post(endpoints().build())).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getMessage()).contains("larger than 262144 bytes");
		}).verify(VERIFY);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void failsAfterRetriesWhenTheConnectionIsRefused() throws IOException {
		int port;
		try (ServerSocket socket = new ServerSocket(0)) {
			port = socket.getLocalPort();
		}
		URI closed = URI.create("http://127.0.0.1:" + port + "/token");
		TokenEndpoints endpoints = endpoints().maxRetries(2).build();
		int[] attempts = new int[1];
		Mono<String> call = endpoints.call("billing", closed, () -> {
			attempts[0]++;
			return endpoints.webClient().post().uri(closed).retrieve().bodyToMono(String.class);
		});
		StepVerifier.create(call).expectErrorSatisfies((ex) -> {
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isFalse();
			assertThat(acquisition.getStatus()).isNull();
			assertThat(acquisition.getMessage()).contains("I/O error", "3 attempts");
			assertThat(acquisition.getCause()).isInstanceOf(IOException.class);
		}).verify(VERIFY);
		assertThat(attempts[0]).isEqualTo(3);
	}

	@Test
	void leavesTheGivenWebClientBuilderUntouched() {
		this.server.enqueue(status(500));
		WebClient.Builder builder = WebClient.builder();
		TokenEndpoints.builder().webClientBuilder(builder).build();
		Mono<Integer> status = builder.build()
			.get()
			.uri(this.uri)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
		StepVerifier.create(status).expectNext(500).expectComplete().verify(VERIFY);
	}

}
