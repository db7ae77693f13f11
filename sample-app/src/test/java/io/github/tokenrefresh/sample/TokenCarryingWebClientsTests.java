package io.github.tokenrefresh.sample;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * How to test your own code that uses the starter's WebClients: point the URLs of application.yml at
 * {@link MockWebServer}s with {@link DynamicPropertySource}, call through the autowired WebClients, and assert on
 * what the servers received. Nothing here touches the starter's internals.
 * <p>
 * {@code authServer} plays the token endpoints (OAuth2 token endpoint and JSON login API): each test enqueues the
 * token responses it expects to be asked for. {@code api} answers 200 to any token except those a test revoked.
 */
@SpringBootTest(properties = "demo.workload.enabled=false")
// Tokens are cached in the application context: a new context per test makes every test start without one.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class TokenCarryingWebClientsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private static final Set<String> revoked = ConcurrentHashMap.newKeySet();

	private static final MockWebServer authServer = new MockWebServer();

	private static final MockWebServer api = new MockWebServer();

	private int tokenCallsBefore;

	@Autowired
	@Qualifier("orders")
	private WebClient orders;

	@Autowired
	@Qualifier("profile")
	private WebClient profile;

	@DynamicPropertySource
	static void pointClientsAtMockServers(DynamicPropertyRegistry registry) throws IOException {
		start();
		registry.add("token-refresh.clients.orders.base-url", () -> api.url("/orders").toString());
		registry.add("token-refresh.clients.orders.token-uri", () -> authServer.url("/oauth2/token").toString());
		registry.add("token-refresh.clients.profile.base-url", () -> api.url("/profile").toString());
		registry.add("token-refresh.clients.profile.login.uri", () -> authServer.url("/auth/login").toString());
		registry.add("token-refresh.clients.profile.login.refresh-uri",
				() -> authServer.url("/auth/refresh").toString());
	}

	private static synchronized void start() throws IOException {
		if (!api.getStarted()) {
			api.setDispatcher(new Dispatcher() {
				@Override
				public MockResponse dispatch(RecordedRequest request) {
					String authorization = request.getHeaders().get("Authorization");
					boolean valid = authorization != null && !revoked.contains(authorization.substring(7));
					return new MockResponse.Builder().code(valid ? 200 : 401)
						.addHeader("Content-Type", "application/json")
						.body(valid ? "{\"username\":\"demo\",\"displayName\":\"Demo User\"}" : "")
						.build();
				}
			});
			api.start();
			authServer.start();
		}
	}

	@AfterAll
	static void stopServers() {
		api.close();
		authServer.close();
	}

	@BeforeEach
	void forgetEarlierTests() throws InterruptedException {
		revoked.clear();
		while (api.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
			// drop requests recorded by earlier tests
		}
		while (authServer.takeRequest(0, TimeUnit.MILLISECONDS) != null) {
			// same
		}
		this.tokenCallsBefore = authServer.getRequestCount();
	}

	@Test
	void fetchesTheOrdersTokenOnceAndReusesIt() throws InterruptedException {
		authServer.enqueue(tokenResponse("orders-token-1", 300));
		getOrder();
		getOrder();
		getOrder();
		assertThat(tokenCalls()).isEqualTo(1);
		RecordedRequest tokenRequest = authServer.takeRequest();
		assertThat(tokenRequest.getTarget()).isEqualTo("/oauth2/token");
		assertThat(tokenRequest.getBody().utf8()).contains("grant_type=client_credentials");
		assertThat(tokenRequest.getHeaders().get("Authorization")).startsWith("Basic ");
		assertThat(bearerTokensSeenByApi(3)).containsExactly("orders-token-1", "orders-token-1", "orders-token-1");
	}

	@Test
	void replacesTheOrdersTokenBeforeItExpires() throws InterruptedException {
		authServer.enqueue(tokenResponse("orders-token-1", 1));
		authServer.enqueue(tokenResponse("orders-token-2", 300));
		getOrder();
		assertThat(bearerTokensSeenByApi(1)).containsExactly("orders-token-1");
		// A 1 s token is replaced once half its life is gone, before any request is sent with it expired.
		await().atMost(TIMEOUT).untilAsserted(() -> {
			getOrder();
			assertThat(bearerTokensSeenByApi(1)).containsExactly("orders-token-2");
		});
		assertThat(tokenCalls()).isEqualTo(2);
	}

	@Test
	void retriesWithANewOrdersTokenAfterA401() throws InterruptedException {
		authServer.enqueue(tokenResponse("orders-token-1", 300));
		authServer.enqueue(tokenResponse("orders-token-2", 300));
		getOrder();
		revoked.add("orders-token-1");
		getOrder();
		assertThat(bearerTokensSeenByApi(3)).containsExactly("orders-token-1", "orders-token-1", "orders-token-2");
		assertThat(tokenCalls()).isEqualTo(2);
	}

	@Test
	void logsInOnceAndUsesTheRotatedRefreshTokenAfterA401() throws InterruptedException {
		authServer.enqueue(loginResponse("profile-access-1", "profile-refresh-1"));
		authServer.enqueue(loginResponse("profile-access-2", "profile-refresh-2"));
		getProfile();
		revoked.add("profile-access-1");
		getProfile();
		RecordedRequest login = authServer.takeRequest();
		assertThat(login.getTarget()).isEqualTo("/auth/login");
		assertThat(login.getBody().utf8()).contains("\"username\":\"demo\"");
		RecordedRequest refresh = authServer.takeRequest();
		assertThat(refresh.getTarget()).isEqualTo("/auth/refresh");
		assertThat(refresh.getBody().utf8()).contains("profile-refresh-1");
		assertThat(bearerTokensSeenByApi(3)).containsExactly("profile-access-1", "profile-access-1",
				"profile-access-2");
	}

	private void getOrder() {
		StepVerifier.create(this.orders.get().uri("/42").retrieve().toBodilessEntity())
			.assertNext((response) -> assertThat(response.getStatusCode().value()).isEqualTo(200))
			.expectComplete()
			.verify(TIMEOUT);
	}

	private void getProfile() {
		StepVerifier.create(this.profile.get().uri("/me").retrieve().bodyToMono(String.class))
			.assertNext((body) -> assertThat(body).contains("\"username\":\"demo\""))
			.expectComplete()
			.verify(TIMEOUT);
	}

	// The servers live as long as the class; count only this test's calls.
	private int tokenCalls() {
		return authServer.getRequestCount() - this.tokenCallsBefore;
	}

	private static List<String> bearerTokensSeenByApi(int requests) throws InterruptedException {
		List<String> tokens = new ArrayList<>();
		for (int i = 0; i < requests; i++) {
			RecordedRequest request = api.takeRequest(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			assertThat(request).as("API request %d of %d", i + 1, requests).isNotNull();
			tokens.add(request.getHeaders().get("Authorization").substring("Bearer ".length()));
		}
		return tokens;
	}

	private static MockResponse tokenResponse(String accessToken, int expiresIn) {
		return json("{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn
				+ "}");
	}

	private static MockResponse loginResponse(String accessToken, String refreshToken) {
		return json("{\"access_token\":\"" + accessToken + "\",\"refresh_token\":\"" + refreshToken
				+ "\",\"expires_in\":300}");
	}

	private static MockResponse json(String body) {
		return new MockResponse.Builder().addHeader("Content-Type", "application/json").body(body).build();
	}

}
