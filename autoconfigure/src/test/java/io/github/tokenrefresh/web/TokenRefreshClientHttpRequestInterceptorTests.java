package io.github.tokenrefresh.web;

import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.DebugLogging;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

@ExtendWith({ OutputCaptureExtension.class, DebugLogging.class })
class TokenRefreshClientHttpRequestInterceptorTests {

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final InMemoryTokenStore store = new InMemoryTokenStore();

	private final Resource resource = new Resource();

	private MockWebServer server;

	private MockWebServer otherServer;

	private TokenManager manager;

	@BeforeEach
	void start() throws IOException {
		this.server = new MockWebServer();
		this.server.setDispatcher(this.resource);
		this.server.start();
		this.otherServer = new MockWebServer();
		this.otherServer.setDispatcher(this.resource);
		this.otherServer.start();
		this.manager = TokenManager.builder("billing", this.source).store(this.store).clock(this.clock).build();
	}

	@AfterEach
	void stop() {
		this.server.close();
		this.otherServer.close();
	}

	private String baseUrl() {
		return "http://localhost:" + this.server.getPort() + "/api";
	}

	private RestClient restClient(TokenClient client) {
		return restClient(new TokenRefreshClientHttpRequestInterceptor(List.of(client)));
	}

	static RestClient restClient(TokenRefreshClientHttpRequestInterceptor interceptor) {
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		return RestClient.builder()
			.requestFactory(new JdkClientHttpRequestFactory(http))
			.requestInterceptor(interceptor)
			.build();
	}

	private RestClient restClient() {
		return restClient(TokenClient.builder(this.manager).baseUrl(baseUrl()).build());
	}

	private ResponseEntity<String> get(RestClient client, String url) {
		return client.get().uri(url).retrieve().onStatus((status) -> true, (request, response) -> {
		}).toEntity(String.class);
	}

	@Test
	void firstRequestFetchesATokenAndLaterRequestsReuseIt() {
		this.resource.accept("access-1");
		RestClient client = restClient();
		assertThat(get(client, baseUrl() + "/orders").getBody()).isEqualTo("ok");
		assertThat(get(client, baseUrl() + "/orders/2").getBody()).isEqualTo("ok");
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1", "Bearer access-1");
	}

	@Test
	void tokenCloseToExpiryIsRefreshedBeforeTheRequest() {
		this.source.expiresIn(Duration.ofMinutes(10));
		this.resource.accept("access-1");
		RestClient client = restClient();
		get(client, baseUrl() + "/orders");
		// Inside the default 60 s before expiry: the token is stale and is replaced before it is sent.
		this.clock.advance(Duration.ofMinutes(9).plusSeconds(30));
		this.resource.accept("access-2");
		assertThat(get(client, baseUrl() + "/orders").getBody()).isEqualTo("ok");
		assertThat(this.source.callCount()).isEqualTo(2);
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1", "Bearer access-2");
	}

	@Test
	void postAnsweredUnauthorizedIsSentAgainWithANewTokenAndTheSameBody() {
		this.store.put(this.manager.getKey(), Token.builder("revoked").expiresIn(Duration.ofMinutes(10)).build())
			.block();
		this.resource.accept("access-1");
		ResponseEntity<String> response = restClient().post()
			.uri(baseUrl() + "/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("item", "book", "quantity", 2))
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getBody()).isEqualTo("ok");
		assertThat(this.resource.authorizations()).containsExactly("Bearer revoked", "Bearer access-1");
		List<String> bodies = this.resource.bodies();
		assertThat(bodies).hasSize(2);
		assertThat(bodies.get(0)).isNotEmpty().isEqualTo(bodies.get(1));
		assertThat(this.store.get(this.manager.getKey()).block().getAccessToken()).isEqualTo("access-1");
	}

	@Test
	void resourceThatAlwaysAnswersUnauthorizedSeesOnePlusRetriesRequestsAndTheCallerGetsTheLastUnauthorized(
			CapturedOutput output) {
		this.resource.accept("nothing");
		// Without the 401 bound, which would keep the second token and return its 401 at once.
		TokenManager unbounded = TokenManager.builder("billing", this.source)
			.store(this.store)
			.clock(this.clock)
			.unauthorizedRefreshInterval(Duration.ZERO)
			.build();
		RestClient client = restClient(
				TokenClient.builder(unbounded).baseUrl(baseUrl()).retryOnUnauthorized(2).build());
		assertThat(get(client, baseUrl() + "/orders").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1", "Bearer access-2",
				"Bearer access-3");
		// The last token was obtained for this very request: it is kept, not evicted.
		assertThat(this.store.get(unbounded.getKey()).block().getAccessToken()).isEqualTo("access-3");
		assertThat(output).contains("still answered 401 after 2 new token(s) for client 'billing'")
			.doesNotContain("access-1")
			.doesNotContain("access-3");
	}

	@Test
	void theStillUnauthorizedWarningNamesTheUrlWithoutItsQueryString(CapturedOutput output) {
		this.resource.accept("nothing");
		assertThat(get(restClient(), baseUrl() + "/orders?api_key=s3cr3t").getStatusCode())
			.isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(output).contains("Request GET " + baseUrl() + "/orders was still answered 401")
			.doesNotContain("s3cr3t")
			.doesNotContain("api_key");
	}

	@Test
	void resourceThatRejectsEveryTokenCostsAtMostOneReplacementPerIntervalAndKeepsTheToken() {
		this.resource.accept("nothing");
		RestClient client = restClient();
		for (int i = 0; i < 200; i++) {
			assertThat(get(client, baseUrl() + "/orders/" + i).getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		}
		// The first token, and one replacement within the 5 s interval: the 401 is not the token's fault.
		assertThat(this.source.callCount()).isEqualTo(2);
		assertThat(this.resource.authorizations()).hasSize(201);
		assertThat(this.store.get(this.manager.getKey()).block().getAccessToken()).isEqualTo("access-2");
		this.clock.advance(Duration.ofSeconds(5));
		assertThat(get(client, baseUrl() + "/orders").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(this.source.callCount()).isEqualTo(3);
	}

	@Test
	void tokenThatWorkedBeforeIsReplacedAtOnceAfterAnUnauthorizedOutsideTheBound() {
		this.resource.accept("access-1");
		RestClient client = restClient();
		get(client, baseUrl() + "/orders");
		// Revoked twice within the interval: each token worked before its 401, so each is replaced and retried.
		for (int i = 2; i <= 3; i++) {
			this.resource.accept("access-" + i);
			assertThat(get(client, baseUrl() + "/orders").getBody()).isEqualTo("ok");
		}
		assertThat(this.source.callCount()).isEqualTo(3);
	}

	@Test
	void noRetryWhenRetriesAreOffButTheRejectedTokenIsEvicted() {
		this.resource.accept("nothing");
		RestClient client = restClient(
				TokenClient.builder(this.manager).baseUrl(baseUrl()).retryOnUnauthorized(0).build());
		assertThat(get(client, baseUrl() + "/orders").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1");
		assertThat(this.store.get(this.manager.getKey()).block()).isNull();
	}

	@Test
	void insufficientScopeIsNeitherRefreshedNorRetried() {
		this.resource.accept("nothing");
		this.resource.challenge("Bearer error=\"insufficient_scope\", scope=\"orders:write\"");
		assertThat(get(restClient(), baseUrl() + "/orders").getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1");
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(this.store.get(this.manager.getKey()).block().getAccessToken()).isEqualTo("access-1");
	}

	@Test
	void forbiddenIsNeitherRefreshedNorRetried() {
		this.resource.accept("access-1");
		this.resource.status(403);
		assertThat(get(restClient(), baseUrl() + "/orders").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1");
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void requestToAnotherHostOrOutsideTheBasePathCarriesNoToken() {
		this.resource.accept("access-1");
		RestClient client = restClient();
		get(client, "http://localhost:" + this.otherServer.getPort() + "/api/orders");
		get(client, "http://localhost:" + this.server.getPort() + "/apix");
		assertThat(this.resource.authorizations()).containsExactly("none", "none");
		assertThat(this.source.callCount()).isZero();
	}

	@Test
	void clientNamedOnTheRequestWinsOverBaseUrlMatching() {
		ScriptedTokenSource ordersSource = new ScriptedTokenSource(this.clock);
		TokenManager orders = TokenManager.builder("orders", ordersSource).store(this.store).clock(this.clock).build();
		TokenRefreshClientHttpRequestInterceptor interceptor = new TokenRefreshClientHttpRequestInterceptor(List.of(
				TokenClient.builder(this.manager).baseUrl(baseUrl()).build(),
				TokenClient.builder(orders).headerName("X-Orders-Token").headerPrefix("").build()));
		this.resource.accept("access-1");
		RestClient client = restClient(interceptor);
		client.get()
			.uri("http://localhost:" + this.otherServer.getPort() + "/elsewhere")
			.attributes(TokenRefresh.client("orders"))
			.retrieve()
			.toBodilessEntity();
		assertThat(this.resource.headers("X-Orders-Token")).containsExactly("access-1");
		assertThat(this.resource.authorizations()).containsExactly("none");
		assertThat(ordersSource.callCount()).isEqualTo(1);
		assertThat(this.source.callCount()).isZero();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> client.get().uri(baseUrl()).attributes(TokenRefresh.client("unknown")).retrieve()
				.toBodilessEntity())
			.withMessageContaining("No token-refresh client named 'unknown'");
	}

	@Test
	void interceptorAddedTwiceSendsOneHeaderAndFetchesOnce() {
		this.resource.accept("access-1");
		TokenRefreshClientHttpRequestInterceptor interceptor = new TokenRefreshClientHttpRequestInterceptor(
				List.of(TokenClient.builder(this.manager).baseUrl(baseUrl()).build()));
		RestClient client = restClient(interceptor).mutate().requestInterceptor(interceptor).build();
		assertThat(get(client, baseUrl() + "/orders").getBody()).isEqualTo("ok");
		assertThat(this.resource.authorizations()).containsExactly("Bearer access-1");
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void waitForATokenEndsAfterTheClientsTokenWait() {
		this.source.delay(Duration.ofSeconds(30));
		Duration wait = Duration.ofMillis(300);
		RestClient client = restClient(new TokenRefreshClientHttpRequestInterceptor(
				List.of(TokenClient.builder(this.manager).baseUrl(baseUrl()).build()), Map.of("billing", wait)));
		long start = System.nanoTime();
		assertThatExceptionOfType(TokenAcquisitionException.class).isThrownBy(() -> get(client, baseUrl()))
			.withMessageContaining("client 'billing'")
			.withMessageContaining("token wait");
		Duration waited = Duration.ofNanos(System.nanoTime() - start);
		assertThat(waited).isGreaterThanOrEqualTo(wait).isLessThan(Duration.ofSeconds(30));
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void calledOnANonBlockingThreadFailsAtOnceNamingTheClient() {
		RestClient client = restClient();
		Throwable failure = Mono.fromCallable(() -> get(client, baseUrl()))
			.subscribeOn(Schedulers.parallel())
			.<Throwable>map((response) -> new AssertionError("no failure"))
			.onErrorResume(Mono::just)
			.block(Duration.ofSeconds(10));
		assertThat(failure).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("token-refresh client 'billing'")
			.hasMessageContaining("parallel-");
		assertThat(this.source.callCount()).isZero();
	}

	@Test
	void debugLogsExceptionsAndToStringShowNoToken(CapturedOutput output) {
		this.store.put(this.manager.getKey(), Token.builder("secret-revoked").expiresIn(Duration.ofMinutes(10)).build())
			.block();
		this.resource.accept("nothing");
		TokenRefreshClientHttpRequestInterceptor interceptor = new TokenRefreshClientHttpRequestInterceptor(
				List.of(TokenClient.builder(this.manager).baseUrl(baseUrl()).build()));
		get(restClient(interceptor), baseUrl() + "/orders?api_key=secret-key");
		assertThat(this.resource.authorizations()).containsExactly("Bearer secret-revoked", "Bearer access-1");
		assertThat(interceptor.toString()).isEqualTo("TokenRefreshClientHttpRequestInterceptor[clients=[billing]]");
		assertThat(output).contains("still answered 401")
			.doesNotContain("secret-revoked")
			.doesNotContain("access-1")
			.doesNotContain("secret-key");
	}

	/**
	 * A resource server that accepts one token, records each request's token and body, and challenges the rest.
	 */
	static final class Resource extends Dispatcher {

		private final List<String> authorizations = new CopyOnWriteArrayList<>();

		private final List<String> bodies = new CopyOnWriteArrayList<>();

		private final Map<String, List<String>> headers = new java.util.concurrent.ConcurrentHashMap<>();

		private volatile String accepted = "";

		private volatile int status = 200;

		private volatile String challenge = "Bearer error=\"invalid_token\"";

		void accept(String token) {
			this.accepted = token;
		}

		void status(int status) {
			this.status = status;
		}

		void challenge(String challenge) {
			this.challenge = challenge;
		}

		List<String> authorizations() {
			return List.copyOf(this.authorizations);
		}

		List<String> bodies() {
			return List.copyOf(this.bodies);
		}

		List<String> headers(String name) {
			return this.headers.getOrDefault(name, List.of());
		}

		@Override
		public MockResponse dispatch(RecordedRequest request) {
			String authorization = request.getHeaders().get("Authorization");
			this.authorizations.add((authorization != null) ? authorization : "none");
			this.bodies.add((request.getBody() != null) ? request.getBody().utf8() : "");
			for (String name : request.getHeaders().names()) {
				this.headers.computeIfAbsent(name, (key) -> new CopyOnWriteArrayList<>())
					.add(request.getHeaders().get(name));
			}
			String custom = request.getHeaders().get("X-Orders-Token");
			String presented = (authorization != null) ? authorization : (custom != null) ? "Bearer " + custom : null;
			if (presented == null) {
				return new MockResponse.Builder().code(200).body("anonymous").build();
			}
			if (!presented.equals("Bearer " + this.accepted)) {
				return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", this.challenge)
					.body("{\"error\":\"invalid_token\"}").build();
			}
			if (this.status != 200) {
				return new MockResponse.Builder().code(this.status).body("denied").build();
			}
			return new MockResponse.Builder().code(200).body("ok").build();
		}

		@Nullable String accepted() {
			return this.accepted;
		}

	}

}
