package io.github.tokenrefresh.sample.demoserver;

import java.time.Duration;
import java.util.Map;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Api;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The demo servers behave like the servers they stand for, so that the demo's numbers mean something: refresh
 * tokens rotate, bad credentials and revoked tokens get 401, and every call is counted.
 */
class DemoServersTests {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON = new ParameterizedTypeReference<>() {
	};

	private static final Duration TIMEOUT = Duration.ofSeconds(5);

	private final WebClient http = WebClient.create();

	private DemoServers.Running servers;

	@AfterEach
	void stopServers() {
		this.servers.close();
	}

	@Test
	void issuesClientCredentialsTokenThatOnlyTheOrdersApiAccepts() {
		this.servers = DemoServers.start(new DemoServerProperties());
		String token = clientCredentialsToken("orders-app", "orders-secret");
		StepVerifier.create(status(this.servers.apiUrl() + "/orders/7", token)).expectNext(200).verifyComplete();
		StepVerifier.create(status(this.servers.apiUrl() + "/profile/me", token)).expectNext(401).verifyComplete();
		DemoServerStats.Snapshot orders = this.servers.stats().snapshot(Api.ORDERS);
		assertThat(orders.tokenCalls()).isEqualTo(1);
		assertThat(orders.firstTokens()).isEqualTo(1);
		assertThat(orders.requests()).isEqualTo(1);
	}

	@Test
	void refusesClientWithWrongSecret() {
		this.servers = DemoServers.start(new DemoServerProperties());
		Mono<Integer> status = this.http.post()
			.uri(this.servers.authServerUrl() + "/oauth2/token")
			.headers((headers) -> headers.setBasicAuth("orders-app", "wrong"))
			.body(BodyInserters.fromFormData("grant_type", "client_credentials"))
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
		StepVerifier.create(status).expectNext(401).verifyComplete();
		assertThat(this.servers.stats().snapshot(Api.ORDERS).rejectedTokenCalls()).isEqualTo(1);
	}

	@Test
	void refusesARefreshTokenUsedTwice() {
		this.servers = DemoServers.start(new DemoServerProperties());
		Map<String, Object> login = postJson("/auth/login", Map.of("username", "demo", "password", "demo-password"))
			.block(TIMEOUT);
		Map<String, Object> refresh = Map.of("refresh_token", login.get("refresh_token"));
		Map<String, Object> rotated = postJson("/auth/refresh", refresh).block(TIMEOUT);
		assertThat(rotated.get("refresh_token")).isNotEqualTo(login.get("refresh_token"));
		StepVerifier.create(postJson("/auth/refresh", refresh))
			.expectErrorSatisfies((ex) -> assertThat(ex).hasMessageContaining("401"))
			.verify(TIMEOUT);
		DemoServerStats.Snapshot profile = this.servers.stats().snapshot(Api.PROFILE);
		assertThat(profile.tokenCalls()).isEqualTo(3);
		assertThat(profile.proactiveRefreshes()).isEqualTo(1);
		assertThat(profile.rejectedTokenCalls()).isEqualTo(1);
	}

	@Test
	void revokesOnlyTokensPastAQuarterOfTheirLifeAndCountsTheReplacementAsRefreshAfter401() {
		DemoServerProperties properties = new DemoServerProperties();
		properties.setTokenLifetime(Duration.ofSeconds(1));
		properties.setRevokeRate(1.0);
		this.servers = DemoServers.start(properties);
		String token = clientCredentialsToken("orders-app", "orders-secret");
		String url = this.servers.apiUrl() + "/orders/1";
		StepVerifier.create(status(url, token)).expectNext(200).verifyComplete();
		await().atMost(TIMEOUT).until(() -> status(url, token).block(TIMEOUT) == 401);
		StepVerifier.create(status(url, token)).expectNext(401).verifyComplete();
		clientCredentialsToken("orders-app", "orders-secret");
		DemoServerStats.Snapshot orders = this.servers.stats().snapshot(Api.ORDERS);
		assertThat(orders.revoked()).isEqualTo(1);
		assertThat(orders.unauthorized()).isEqualTo(2);
		assertThat(orders.refreshesAfterUnauthorized()).isEqualTo(1);
	}

	private String clientCredentialsToken(String clientId, String secret) {
		Map<String, Object> response = this.http.post()
			.uri(this.servers.authServerUrl() + "/oauth2/token")
			.headers((headers) -> headers.setBasicAuth(clientId, secret))
			.body(BodyInserters.fromFormData("grant_type", "client_credentials"))
			.retrieve()
			.bodyToMono(JSON)
			.block(TIMEOUT);
		assertThat(response).containsEntry("token_type", "Bearer")
			.containsEntry("expires_in", (int) this.servers.tokenLifetime().toSeconds());
		return (String) response.get("access_token");
	}

	private Mono<Map<String, Object>> postJson(String path, Map<String, Object> body) {
		return this.http.post()
			.uri(this.servers.apiUrl() + path)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(body)
			.retrieve()
			.bodyToMono(JSON);
	}

	private Mono<Integer> status(String url, String token) {
		return this.http.get()
			.uri(url)
			.headers((headers) -> headers.setBearerAuth(token))
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
	}

}
