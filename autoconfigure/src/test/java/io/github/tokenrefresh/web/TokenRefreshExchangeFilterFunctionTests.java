package io.github.tokenrefresh.web;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
class TokenRefreshExchangeFilterFunctionTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final InMemoryTokenStore store = new InMemoryTokenStore();

	private final ResourceServer resource = new ResourceServer();

	private MockWebServer server;

	private ConnectionProvider connections;

	private TokenManager manager;

	@BeforeEach
	void start() throws IOException {
		this.server = new MockWebServer();
		this.server.setDispatcher(this.resource);
		this.server.start();
		this.connections = ConnectionProvider.builder("test").maxConnections(64).pendingAcquireMaxCount(-1).build();
		this.manager = TokenManager.builder("billing", this.source).store(this.store).clock(this.clock).build();
	}

	@AfterEach
	void stop() {
		this.connections.dispose();
		this.server.close();
	}

	private String baseUrl() {
		return "http://localhost:" + this.server.getPort() + "/api";
	}

	private WebClient webClient(TokenClient.Builder client) {
		return webClient(this.connections, client.build());
	}

	/**
	 * A WebClient over the given pool with the filter for one client, as the tests of this package use it.
	 */
	static WebClient webClient(ConnectionProvider connections, TokenClient client) {
		return WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(connections)))
			.filter(new TokenRefreshExchangeFilterFunction(List.of(client)))
			.build();
	}

	private WebClient webClient() {
		return webClient(TokenClient.builder(this.manager).baseUrl(baseUrl()));
	}

	private Mono<String> get(WebClient client, String path) {
		return client.get().uri(baseUrl() + path).retrieve().bodyToMono(String.class);
	}

	@Test
	void thousandConcurrentRequestsOnAnEmptyStoreCauseOneTokenCall() {
		this.source.delay(Duration.ofMillis(200));
		this.resource.accept("access-1");
		WebClient client = webClient();
		List<String> bodies = Flux.range(0, 1000).flatMap((i) -> get(client, "/orders/" + i), 1000).collectList()
			.block(TIMEOUT);
		assertThat(bodies).hasSize(1000).allMatch("ok"::equals);
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(this.resource.authorizations).containsOnlyKeys("Bearer access-1");
	}

	@Test
	void burstOfUnauthorizedForOneTokenCausesOneRefreshAndEveryRequestSucceeds() {
		this.store.put(this.manager.getKey(), Token.builder("revoked").refreshToken("refresh-0")
			.issuedAt(this.clock.instant()).expiresIn(Duration.ofMinutes(10)).build()).block(TIMEOUT);
		this.resource.accept("access-1");
		// Every request must be answered 401 before any refresh: hold the 401s until all 200 have arrived.
		this.resource.holdRejections(200);
		this.connections.dispose();
		this.connections = ConnectionProvider.builder("burst").maxConnections(256).pendingAcquireMaxCount(-1).build();
		WebClient client = webClient();
		List<String> bodies = Flux.range(0, 200).flatMap((i) -> get(client, "/orders/" + i), 200).collectList()
			.block(TIMEOUT);
		assertThat(bodies).hasSize(200).allMatch("ok"::equals);
		assertThat(this.source.refreshCount()).isEqualTo(1);
		assertThat(this.source.acquireCount()).isZero();
		assertThat(this.resource.authorizations.get("Bearer revoked").get()).isEqualTo(200);
		assertThat(this.resource.authorizations.get("Bearer access-1").get()).isEqualTo(200);
	}

	@Test
	void resourceThatAlwaysAnswersUnauthorizedSeesOnePlusRetriesRequestsThenTheUnauthorizedSurfaces(
			CapturedOutput output) {
		this.resource.accept("nothing");
		// Without the interval that bounds replacements caused by 401s, to see every retry.
		this.manager = TokenManager.builder("billing", this.source).store(this.store).clock(this.clock)
			.unauthorizedRefreshInterval(Duration.ZERO).build();
		WebClient client = webClient(TokenClient.builder(this.manager).baseUrl(baseUrl()).retryOnUnauthorized(2));
		StepVerifier.create(get(client, "/orders"))
			.expectError(WebClientResponseException.Unauthorized.class)
			.verify(TIMEOUT);
		assertThat(this.server.getRequestCount()).isEqualTo(3);
		assertThat(this.source.callCount()).isEqualTo(3);
		assertThat(output).containsOnlyOnce("was still answered 401 after 2 new token(s)");
	}

	@Test
	void noRetryWhenRetriesAreOffButTheRejectedTokenIsEvicted() {
		this.resource.accept("nothing");
		WebClient client = webClient(TokenClient.builder(this.manager).baseUrl(baseUrl()).retryOnUnauthorized(0));
		StepVerifier.create(get(client, "/orders"))
			.expectError(WebClientResponseException.Unauthorized.class)
			.verify(TIMEOUT);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		StepVerifier.create(this.manager.getStoredToken()).verifyComplete();
	}

	@Test
	void insufficientScopeIsNeitherRefreshedNorRetried() {
		this.resource.accept("access-1");
		this.resource.respond(401, "Bearer error=\"insufficient_scope\", scope=\"admin\"");
		WebClient client = webClient();
		StepVerifier.create(get(client, "/orders"))
			.expectError(WebClientResponseException.Unauthorized.class)
			.verify(TIMEOUT);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(this.manager.getStoredToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
	}

	@Test
	void forbiddenIsNeitherRefreshedNorRetried() {
		this.resource.accept("access-1");
		this.resource.respond(403, null);
		StepVerifier.create(get(webClient(), "/orders"))
			.expectError(WebClientResponseException.Forbidden.class)
			.verify(TIMEOUT);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void unauthorizedWithoutOrWithMalformedChallengeIsRetried() {
		this.store.put(this.manager.getKey(), Token.builder("revoked").issuedAt(this.clock.instant()).build())
			.block(TIMEOUT);
		this.resource.accept("access-1");
		this.resource.challenge("Bearer error=");
		StepVerifier.create(get(webClient(), "/orders")).expectNext("ok").verifyComplete();
		assertThat(this.server.getRequestCount()).isEqualTo(2);
	}

	@Test
	void postRetriedAfterUnauthorizedCarriesTheIdenticalBody() throws InterruptedException {
		this.store.put(this.manager.getKey(), Token.builder("revoked").issuedAt(this.clock.instant()).build())
			.block(TIMEOUT);
		this.resource.accept("access-1");
		Map<String, Object> order = Map.of("item", "book", "quantity", 3);
		StepVerifier.create(webClient().post().uri(baseUrl() + "/orders").contentType(MediaType.APPLICATION_JSON)
			.bodyValue(order).retrieve().bodyToMono(String.class)).expectNext("ok").verifyComplete();
		RecordedRequest first = this.server.takeRequest();
		RecordedRequest retried = this.server.takeRequest();
		assertThat(first.getHeaders().get("Authorization")).isEqualTo("Bearer revoked");
		assertThat(retried.getHeaders().get("Authorization")).isEqualTo("Bearer access-1");
		assertThat(retried.getMethod()).isEqualTo("POST");
		assertThat(retried.getUrl().encodedPath()).isEqualTo("/api/orders");
		assertThat(retried.getBody().utf8()).isEqualTo(first.getBody().utf8()).contains("\"item\":\"book\"");
		assertThat(retried.getHeaders().get("Content-Type")).isEqualTo("application/json");
	}

	@Test
	void bodyThatCannotBeReadTwiceIsSentAgainAsItWasFirstWritten() throws InterruptedException {
		this.store.put(this.manager.getKey(), Token.builder("revoked").issuedAt(this.clock.instant()).build())
			.block(TIMEOUT);
		this.resource.accept("access-1");
		Sinks.Many<String> oneShot = Sinks.many().unicast().onBackpressureBuffer();
		oneShot.tryEmitNext("{\"item\":\"book\"}");
		oneShot.tryEmitComplete();
		StepVerifier.create(webClient().post().uri(baseUrl() + "/orders").contentType(MediaType.APPLICATION_JSON)
			.body(oneShot.asFlux(), String.class).retrieve().bodyToMono(String.class))
			.expectNext("ok")
			.verifyComplete();
		RecordedRequest first = this.server.takeRequest();
		RecordedRequest retried = this.server.takeRequest();
		assertThat(retried.getHeaders().get("Authorization")).isEqualTo("Bearer access-1");
		assertThat(retried.getBody().utf8()).isEqualTo(first.getBody().utf8()).isEqualTo("{\"item\":\"book\"}");
	}

	@Test
	void requestToAnUnconfiguredHostCarriesNoToken() throws InterruptedException {
		StepVerifier.create(webClient().get().uri("http://127.0.0.1:" + this.server.getPort() + "/api/orders")
			.retrieve().toBodilessEntity()).expectError(WebClientResponseException.Unauthorized.class).verify(TIMEOUT);
		assertThat(this.server.takeRequest().getHeaders().get("Authorization")).isNull();
		assertThat(this.source.callCount()).isZero();
	}

	@Test
	void requestOutsideTheBasePathCarriesNoToken() throws InterruptedException {
		webClient().get().uri("http://localhost:" + this.server.getPort() + "/apix").retrieve().toBodilessEntity()
			.onErrorResume((ex) -> Mono.empty()).block(TIMEOUT);
		assertThat(this.server.takeRequest().getHeaders().get("Authorization")).isNull();
	}

	@Test
	void explicitClientAttributeWinsOverBaseUrlMatching() throws InterruptedException {
		this.resource.accept("access-1");
		WebClient client = webClient(TokenClient.builder(this.manager));
		StepVerifier.create(client.get().uri(baseUrl() + "/orders").attributes(TokenRefresh.client("billing"))
			.retrieve().bodyToMono(String.class)).expectNext("ok").verifyComplete();
		StepVerifier.create(client.get().uri(baseUrl() + "/orders").attributes(TokenRefresh.client("unknown"))
			.retrieve().bodyToMono(String.class))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("unknown")
				.hasMessageContaining("billing"))
			.verify(TIMEOUT);
	}

	@Test
	void headerNameAndPrefixAreConfigurable() throws InterruptedException {
		WebClient client = webClient(
				TokenClient.builder(this.manager).baseUrl(baseUrl()).headerName("X-Api-Token").headerPrefix(""));
		client.get().uri(baseUrl() + "/orders").retrieve().toBodilessEntity().onErrorResume((ex) -> Mono.empty())
			.block(TIMEOUT);
		RecordedRequest request = this.server.takeRequest();
		assertThat(request.getHeaders().get("X-Api-Token")).isEqualTo("access-1");
		assertThat(request.getHeaders().get("Authorization")).isNull();
	}

	@Test
	void filterAddedTwiceSendsOneHeaderAndFetchesOnce() throws InterruptedException {
		this.resource.accept("access-1");
		TokenRefreshExchangeFilterFunction filter = new TokenRefreshExchangeFilterFunction(
				List.of(TokenClient.builder(this.manager).baseUrl(baseUrl()).build()));
		WebClient client = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(this.connections)))
			.filter(filter)
			.filter(filter)
			.build();
		StepVerifier.create(get(client, "/orders")).expectNext("ok").verifyComplete();
		assertThat(this.server.takeRequest().getHeaders().values("Authorization")).containsExactly("Bearer access-1");
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void debugLogsShowNoToken(CapturedOutput output) {
		LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
		logging.setLogLevel("io.github.tokenrefresh", LogLevel.DEBUG);
		logging.setLogLevel("org.springframework.web.reactive.function.client", LogLevel.DEBUG);
		logging.setLogLevel("reactor.netty.http.client", LogLevel.DEBUG);
		try {
			this.store.put(this.manager.getKey(), Token.builder("revoked-0123456789abcdefghijklmnop")
				.refreshToken("refresh-0123456789abcdefghijklmnop").issuedAt(this.clock.instant()).build())
				.block(TIMEOUT);
			this.resource.accept("access-1");
			StepVerifier.create(get(webClient(), "/orders")).expectNext("ok").verifyComplete();
			this.resource.accept("nothing");
			StepVerifier.create(get(webClient(), "/orders"))
				.expectError(WebClientResponseException.Unauthorized.class)
				.verify(TIMEOUT);
		}
		finally {
			logging.setLogLevel("io.github.tokenrefresh", null);
			logging.setLogLevel("org.springframework.web.reactive.function.client", null);
			logging.setLogLevel("reactor.netty.http.client", null);
		}
		assertThat(output.getAll()).contains("Obtained token for client 'billing'")
			.doesNotContain("revoked-0123456789abcdefghijklmnop")
			.doesNotContain("refresh-0123456789abcdefghijklmnop")
			.doesNotContain("Bearer access-")
			.doesNotContain("refresh-1");
	}

	/**
	 * A resource server that answers 200 "ok" to one accepted token, 401 to anything else, and counts the
	 * Authorization values it saw.
	 */
	static final class ResourceServer extends Dispatcher {

		final Map<String, AtomicInteger> authorizations = new ConcurrentHashMap<>();

		private volatile String accepted = "";

		private volatile int status = 200;

		private volatile String challenge = "Bearer";

		private volatile CountDownLatch rejections = new CountDownLatch(0);

		void holdRejections(int count) {
			this.rejections = new CountDownLatch(count);
		}

		void accept(String token) {
			this.accepted = token;
		}

		void respond(int status, String challenge) {
			this.status = status;
			this.challenge = challenge;
		}

		void challenge(String challenge) {
			this.challenge = challenge;
		}

		private void awaitRejections() {
			CountDownLatch latch = this.rejections;
			latch.countDown();
			try {
				latch.await(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) {
			String authorization = request.getHeaders().get("Authorization");
			if (authorization != null) {
				this.authorizations.computeIfAbsent(authorization, (key) -> new AtomicInteger()).incrementAndGet();
			}
			if (authorization == null || !authorization.equals("Bearer " + this.accepted)) {
				awaitRejections();
				return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", this.challenge)
					.body("{\"error\":\"invalid_token\"}").build();
			}
			if (this.status != 200) {
				MockResponse.Builder response = new MockResponse.Builder().code(this.status).body("denied");
				return (this.challenge != null)
						? response.addHeader("WWW-Authenticate", this.challenge).build() : response.build();
			}
			return new MockResponse.Builder().code(200).body("ok").build();
		}

	}

}
