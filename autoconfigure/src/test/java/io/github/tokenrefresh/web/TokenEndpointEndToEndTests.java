package io.github.tokenrefresh.web;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.github.tokenrefresh.oauth2.OAuth2TokenSource;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.netty.resources.ConnectionProvider;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine, the filter and the OAuth 2.0 source together against a counting token endpoint: the only proof of
 * single-flight is the number of requests the token endpoint saw.
 */
class TokenEndpointEndToEndTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final TokenServer tokens = new TokenServer();

	private final TokenRefreshExchangeFilterFunctionTests.ResourceServer resource = new TokenRefreshExchangeFilterFunctionTests.ResourceServer();

	private MockWebServer tokenServer;

	private MockWebServer resourceServer;

	private ConnectionProvider connections;

	private WebClient client;

	private TokenManager manager;

	@BeforeEach
	void start() throws IOException {
		this.tokenServer = new MockWebServer();
		this.tokenServer.setDispatcher(this.tokens);
		this.tokenServer.start();
		this.resourceServer = new MockWebServer();
		this.resourceServer.setDispatcher(this.resource);
		this.resourceServer.start();
		ClientRegistration registration = ClientRegistration.withRegistrationId("billing")
			.clientId("app")
			.clientSecret("app-secret")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri(this.tokenServer.url("/oauth2/token").toString())
			.build();
		OAuth2TokenSource source = OAuth2TokenSource.builder("billing", TokenEndpoints.builder().build())
			.registration(registration)
			.build();
		this.manager = TokenManager.builder("billing", source).store(new InMemoryTokenStore()).build();
		connect(64);
	}

	private void connect(int maxConnections) {
		if (this.connections != null) {
			this.connections.dispose();
		}
		this.connections = ConnectionProvider.builder("e2e")
			.maxConnections(maxConnections)
			.pendingAcquireMaxCount(-1)
			.build();
		TokenClient tokenClient = TokenClient.builder(this.manager)
			.baseUrl("http://localhost:" + this.resourceServer.getPort())
			.build();
		this.client = TokenRefreshExchangeFilterFunctionTests.webClient(this.connections, tokenClient);
	}

	@AfterEach
	void stop() {
		this.connections.dispose();
		this.tokenServer.close();
		this.resourceServer.close();
	}

	private Flux<String> requests(int count) {
		return Flux.range(0, count)
			.flatMap((i) -> this.client.get()
				.uri("http://localhost:" + this.resourceServer.getPort() + "/orders/" + i)
				.retrieve()
				.bodyToMono(String.class), count);
	}

	@Test
	void thousandConcurrentRequestsOnAnEmptyStoreMakeOneTokenEndpointRequest() {
		this.resource.accept("token-1");
		List<String> bodies = requests(1000).collectList().block(TIMEOUT);
		assertThat(bodies).hasSize(1000).allMatch("ok"::equals);
		assertThat(this.tokenServer.getRequestCount()).isEqualTo(1);
	}

	@Test
	void twoHundredConcurrentUnauthorizedForOneTokenMakeOneTokenEndpointRequest() {
		this.resource.accept("token-1");
		requests(1).blockLast(TIMEOUT);
		this.resource.accept("token-2");
		// 200 requests held open at once need 200 connections.
		connect(256);
		this.resource.holdRejections(200);
		List<String> bodies = requests(200).collectList().block(TIMEOUT);
		assertThat(bodies).hasSize(200).allMatch("ok"::equals);
		assertThat(this.tokenServer.getRequestCount()).isEqualTo(2);
		assertThat(this.resource.authorizations.get("Bearer token-1").get()).isEqualTo(201);
		assertThat(this.resource.authorizations.get("Bearer token-2").get()).isEqualTo(200);
	}

	/**
	 * Issues {@code token-1}, {@code token-2}, ... after a short delay, so that concurrent callers overlap.
	 */
	static final class TokenServer extends Dispatcher {

		private final AtomicInteger issued = new AtomicInteger();

		@Override
		public MockResponse dispatch(RecordedRequest request) {
			return new MockResponse.Builder().code(200)
				.addHeader("Content-Type", "application/json")
				.headersDelay(100, java.util.concurrent.TimeUnit.MILLISECONDS)
				.body("{\"access_token\":\"token-" + this.issued.incrementAndGet()
						+ "\",\"token_type\":\"Bearer\",\"expires_in\":300}")
				.build();
		}

	}

}
