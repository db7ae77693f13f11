package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.core.TokenExpiredException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.event.TokenRefreshedEvent;
import io.github.tokenrefresh.event.TokenRejectedEvent;
import io.github.tokenrefresh.metrics.TokenRefreshMetrics;
import io.github.tokenrefresh.test.MutableClock;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations side in a running WebFlux application with the actuator: the {@code tokens} endpoint, health,
 * metrics, events, manual mode, and logs without secrets.
 */
@SpringBootTest(classes = OperationsIntegrationTests.Application.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		// The test classpath also holds Spring MVC, for the embedded authorization server of other tests.
		properties = "spring.main.web-application-type=reactive")
@ActiveProfiles("operations")
@ExtendWith(OutputCaptureExtension.class)
class OperationsIntegrationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private static final Servers servers = new Servers();

	@LocalServerPort
	private int port;

	@Autowired
	@Qualifier("billing")
	private WebClient billing;

	@Autowired
	@Qualifier("manual")
	private WebClient manual;

	@Autowired
	@Qualifier("billingTokenManager")
	private TokenManager billingManager;

	@Autowired
	@Qualifier("manualTokenManager")
	private TokenManager manualManager;

	@Autowired
	private MeterRegistry meters;

	@Autowired
	private MutableClock clock;

	@Autowired
	private Events events;

	private WebTestClient actuator;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) throws IOException {
		servers.start();
		registry.add("test.resource-url", servers::resourceUrl);
		registry.add("test.token-uri", servers::tokenUri);
	}

	@AfterAll
	static void stop() {
		servers.close();
	}

	@BeforeEach
	void reset() {
		// A connection per request: in two of nine full builds, the application's server left a request that
		// arrived on a kept-alive connection unread until the client gave up and closed it (the endpoint ran only
		// then), so a test timed out without the starter having been called.
		this.actuator = WebTestClient
			.bindToServer(new ReactorClientHttpConnector(HttpClient.create(ConnectionProvider.newConnection())))
			.baseUrl("http://localhost:" + this.port + "/actuator")
			.responseTimeout(TIMEOUT)
			.build();
		servers.reject(false);
		StepVerifier.create(this.billingManager.evict()).verifyComplete();
		StepVerifier.create(this.manualManager.evict()).verifyComplete();
	}

	private String call(WebClient client, String path) {
		return client.get().uri(path).retrieve().bodyToMono(String.class).block(TIMEOUT);
	}

	private String post(String uri) {
		return this.actuator.post().uri(uri).exchange().expectStatus().isOk().expectBody(String.class).returnResult()
			.getResponseBody();
	}

	private Map<String, Object> client(String name) {
		Map<?, ?> body = this.actuator.get().uri("/tokens").exchange().expectStatus().isOk()
			.expectBody(Map.class).returnResult().getResponseBody();
		return (Map<String, Object>) ((Map<?, ?>) body.get("clients")).get(name);
	}

	@Test
	void endpointShowsTheClientBeforeAndAfterARefreshAndNoSecret() {
		assertThat(client("billing")).containsEntry("tokenHeld", false).containsEntry("storeType", "in-memory");
		call(this.billing, "/orders");
		Map<String, Object> after = client("billing");
		assertThat(after).containsEntry("tokenHeld", true).containsEntry("lastOutcome", "success")
			.containsEntry("autoRefresh", true);
		assertThat(after.get("secondsLeft")).isEqualTo(300);
		String json = this.actuator.get().uri("/tokens").exchange().expectBody(String.class).returnResult()
			.getResponseBody();
		assertThat(json).doesNotContain("billing-secret-0123456789").doesNotContain("manual-secret-0123456789");
		servers.issued.forEach((token) -> assertThat(json).doesNotContain(token));
	}

	@Test
	void postForcesExactlyOneTokenCallAndDeleteEmptiesTheStore() {
		call(this.billing, "/orders");
		int before = servers.tokenRequests();
		post("/tokens/billing");
		assertThat(servers.tokenRequests()).isEqualTo(before + 1);
		this.actuator.delete().uri("/tokens/billing").exchange().expectStatus().isOk().expectBody(String.class)
			.returnResult();
		StepVerifier.create(this.billingManager.getStoredToken()).verifyComplete();
		assertThat(client("billing")).containsEntry("tokenHeld", false);
		this.actuator.post().uri("/tokens/nope").exchange().expectStatus().isBadRequest().expectBody(String.class)
			.returnResult();
	}

	@Test
	void healthGoesDownWhenCredentialsAreRejectedAndUpAfterARefresh() {
		call(this.billing, "/orders");
		this.actuator.get().uri("/health/tokenRefresh/billing").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
		servers.reject(true);
		this.billingManager.evict().block(TIMEOUT);
		StepVerifier.create(this.billing.get().uri("/orders").retrieve().bodyToMono(String.class))
			.expectError(io.github.tokenrefresh.core.TokenAcquisitionException.class)
			.verify(TIMEOUT);
		this.actuator.get().uri("/health/tokenRefresh/billing").exchange().expectStatus().is5xxServerError()
			.expectBody().jsonPath("$.status").isEqualTo("DOWN").jsonPath("$.details.error")
			.isEqualTo("invalid_client");
		assertThat(this.events.rejected).anyMatch((event) -> event.getClientName().equals("billing"));
		servers.reject(false);
		post("/tokens/billing");
		this.actuator.get().uri("/health/tokenRefresh/billing").exchange().expectStatus().isOk()
			.expectBody().jsonPath("$.status").isEqualTo("UP");
		assertThat(this.events.refreshed).anyMatch((event) -> event.getClientName().equals("billing"));
	}

	@Test
	void metersCountFetchReuseRetryAndRejection() {
		double acquired = timerCount("acquire", "success");
		double rejected = timerCount("acquire", "rejected");
		double retries = counter(TokenRefreshMetrics.RETRIES);
		call(this.billing, "/orders");
		call(this.billing, "/orders");
		servers.revoke(servers.lastIssued());
		call(this.billing, "/orders");
		servers.reject(true);
		this.billingManager.evict().block(TIMEOUT);
		this.billing.get().uri("/orders").retrieve().bodyToMono(String.class).onErrorComplete().block(TIMEOUT);
		assertThat(timerCount("acquire", "success") - acquired).isEqualTo(2);
		assertThat(timerCount("acquire", "rejected") - rejected).isEqualTo(1);
		assertThat(counter(TokenRefreshMetrics.RETRIES) - retries).isEqualTo(1);
		assertThat(this.meters.get(TokenRefreshMetrics.EXPIRY).tag("client", "billing").gauge()).isNotNull();
	}

	@Test
	void manualModeFailsClearlyUntilRefreshedThroughTheEndpoint() {
		StepVerifier.create(this.manual.get().uri("/orders").retrieve().bodyToMono(String.class))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenExpiredException.class)
				.hasMessageContaining("manual"))
			.verify(TIMEOUT);
		int before = servers.tokenRequests();
		post("/tokens/manual");
		assertThat(call(this.manual, "/orders")).isEqualTo("ok");
		assertThat(call(this.manual, "/orders")).isEqualTo("ok");
		assertThat(servers.tokenRequests()).isEqualTo(before + 1);
		this.clock.advance(Duration.ofMinutes(6));
		StepVerifier.create(this.manual.get().uri("/orders").retrieve().bodyToMono(String.class))
			.expectError(TokenExpiredException.class)
			.verify(TIMEOUT);
		assertThat(servers.tokenRequests()).isEqualTo(before + 1);
		post("/tokens/manual");
		assertThat(call(this.manual, "/orders")).isEqualTo("ok");
	}

	@Test
	void logsAtDebugHoldNoSecretAcrossTheWholeScenario(CapturedOutput output) {
		call(this.billing, "/orders");
		servers.revoke(servers.lastIssued());
		call(this.billing, "/orders");
		post("/tokens/billing");
		this.actuator.get().uri("/tokens").exchange().expectStatus().isOk().expectBody(String.class).returnResult();
		servers.reject(true);
		this.billingManager.evict().block(TIMEOUT);
		this.billing.get().uri("/orders").retrieve().bodyToMono(String.class).onErrorComplete().block(TIMEOUT);
		assertThat(output.getAll()).contains("Obtained token for client 'billing'")
			.doesNotContain("billing-secret-0123456789")
			.doesNotContain("manual-secret-0123456789");
		servers.issued.forEach((token) -> assertThat(output.getAll()).doesNotContain(token));
	}

	private double timerCount(String kind, String outcome) {
		Timer timer = this.meters.find(TokenManager.OBSERVATION_NAME).tag("client", "billing").tag("kind", kind)
			.tag("outcome", outcome).timer();
		return (timer != null) ? timer.count() : 0;
	}

	private double counter(String name) {
		var counter = this.meters.find(name).tag("client", "billing").counter();
		return (counter != null) ? counter.count() : 0;
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		MutableClock tokenRefreshClock() {
			return new MutableClock(Instant.now());
		}

		@Bean
		Events events() {
			return new Events();
		}

	}

	static class Events {

		final List<TokenRefreshedEvent> refreshed = new CopyOnWriteArrayList<>();

		final List<TokenRejectedEvent> rejected = new CopyOnWriteArrayList<>();

		@EventListener
		void on(TokenRefreshedEvent event) {
			this.refreshed.add(event);
		}

		@EventListener
		void on(TokenRejectedEvent event) {
			this.rejected.add(event);
		}

	}

	/**
	 * A token endpoint that issues long random-looking tokens (or rejects the client) and a resource server that
	 * accepts any issued, unrevoked token.
	 */
	static final class Servers implements AutoCloseable {

		final List<String> issued = new CopyOnWriteArrayList<>();

		private final List<String> revoked = new CopyOnWriteArrayList<>();

		private final AtomicInteger count = new AtomicInteger();

		private final MockWebServer tokenServer = new MockWebServer();

		private final MockWebServer resourceServer = new MockWebServer();

		private volatile boolean reject;

		Servers() {
			this.tokenServer.setDispatcher(new Dispatcher() {

				@Override
				public MockResponse dispatch(RecordedRequest request) {
					if (Servers.this.reject) {
						return new MockResponse.Builder().code(401).addHeader("Content-Type", "application/json")
							.body("{\"error\":\"invalid_client\",\"error_description\":\"account disabled\"}")
							.build();
					}
					String token = "tok-" + Servers.this.count.incrementAndGet() + "-a1b2c3d4e5f6g7h8i9j0";
					Servers.this.issued.add(token);
					return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
						.body("{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")
						.build();
				}

			});
			this.resourceServer.setDispatcher(new Dispatcher() {

				@Override
				public MockResponse dispatch(RecordedRequest request) {
					String authorization = request.getHeaders().get("Authorization");
					String token = (authorization != null) ? authorization.replace("Bearer ", "") : "";
					boolean valid = Servers.this.issued.contains(token) && !Servers.this.revoked.contains(token);
					return valid ? new MockResponse.Builder().code(200).body("ok").build()
							: new MockResponse.Builder().code(401).build();
				}

			});
		}

		void start() throws IOException {
			this.tokenServer.start();
			this.resourceServer.start();
		}

		String tokenUri() {
			return this.tokenServer.url("/oauth2/token").toString();
		}

		String resourceUrl() {
			return "http://localhost:" + this.resourceServer.getPort();
		}

		int tokenRequests() {
			return this.tokenServer.getRequestCount();
		}

		String lastIssued() {
			return this.issued.get(this.issued.size() - 1);
		}

		void revoke(String token) {
			this.revoked.add(token);
		}

		void reject(boolean reject) {
			this.reject = reject;
		}

		@Override
		public void close() {
			this.tokenServer.close();
			this.resourceServer.close();
		}

	}

}
