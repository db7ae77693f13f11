package io.github.tokenrefresh.mvc;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.mvc.RecordingServers.Received;
import io.github.tokenrefresh.test.DebugLogging;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.web.TokenRefresh;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.DispatcherHandler;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring MVC application, configured from {@code application-mvc.yml} alone, whose RestClients and RestTemplates
 * carry tokens from a real token endpoint to a real resource server, and which stays an MVC application.
 */
@SpringBootTest(classes = MvcApplicationIntegrationTests.Application.class,
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("mvc")
@ExtendWith({ OutputCaptureExtension.class, DebugLogging.class })
class MvcApplicationIntegrationTests {

	private static final RecordingServers servers = new RecordingServers();

	@Autowired
	private ServletWebServerApplicationContext context;

	@Autowired
	@Qualifier("orders")
	private RestClient orders;

	@Autowired
	@Qualifier("orders")
	private WebClient ordersWebClient;

	@Autowired
	private RestClient.Builder restClientBuilder;

	@Autowired
	private RestTemplateBuilder restTemplateBuilder;

	@Autowired
	@Qualifier("ordersTokenManager")
	private TokenManager manager;

	@Autowired
	private MutableClock clock;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) throws IOException {
		servers.start();
		registry.add("test.mvc.resource-url", servers::resourceUrl);
		registry.add("test.mvc.token-uri", servers::tokenUri);
	}

	@AfterAll
	static void stopServers() {
		servers.close();
	}

	@BeforeEach
	void forgetTheToken() {
		this.manager.evict().block(Duration.ofSeconds(10));
	}

	@Test
	void staysAnMvcApplicationOnTomcatWithoutWebFlux() {
		assertThat(this.context.getWebServer()).isInstanceOf(TomcatWebServer.class);
		assertThat(this.context.getBeanNamesForType(DispatcherHandler.class)).isEmpty();
		assertThat(this.context.getBeanNamesForType(
				org.springframework.boot.web.server.reactive.ReactiveWebServerFactory.class)).isEmpty();
	}

	@Test
	void firstRequestFetchesATokenAndLaterRequestsReuseIt() {
		int issued = servers.tokensIssued("orders");
		assertThat(get("/api/orders")).isEqualTo("ok /api/orders");
		assertThat(get("/api/orders/1")).isEqualTo("ok /api/orders/1");
		assertThat(servers.tokensIssued("orders")).isEqualTo(issued + 1);
		assertThat(servers.last(2)).extracting(Received::authorization)
			.containsExactly("Bearer orders-" + (issued + 1), "Bearer orders-" + (issued + 1));
	}

	@Test
	void refreshesBeforeExpiryAndAcrossIt() {
		int issued = servers.tokensIssued("orders");
		get("/api/orders");
		// 300 s tokens, refresh-before-expiry 60 s: at 250 s the token is replaced before it is sent.
		this.clock.advance(Duration.ofSeconds(250));
		get("/api/orders");
		// Past the second token's expiry.
		this.clock.advance(Duration.ofSeconds(400));
		get("/api/orders");
		assertThat(servers.tokensIssued("orders")).isEqualTo(issued + 3);
		assertThat(servers.last(3)).extracting(Received::authorization)
			.containsExactly("Bearer orders-" + (issued + 1), "Bearer orders-" + (issued + 2),
					"Bearer orders-" + (issued + 3));
	}

	@Test
	void postAnsweredUnauthorizedIsRetriedWithANewTokenAndTheSameJsonBody() {
		int issued = servers.tokensIssued("orders");
		get("/api/orders");
		servers.revoke("orders-" + (issued + 1));
		ResponseEntity<String> response = this.orders.post()
			.uri("/orders")
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("item", "book", "quantity", 2))
			.retrieve()
			.toEntity(String.class);
		assertThat(response.getBody()).isEqualTo("ok /api/orders");
		List<Received> posts = servers.last(2);
		assertThat(posts).extracting(Received::method).containsExactly("POST", "POST");
		assertThat(posts).extracting(Received::authorization)
			.containsExactly("Bearer orders-" + (issued + 1), "Bearer orders-" + (issued + 2));
		assertThat(posts.get(0).body()).contains("\"item\":\"book\"").isEqualTo(posts.get(1).body());
	}

	@Test
	void insufficientScopeIsReturnedWithoutARetryOrANewToken() {
		int issued = servers.tokensIssued("orders");
		get("/api/orders");
		ResponseEntity<Void> response = this.orders.get()
			.uri("/admin")
			.retrieve()
			.onStatus((status) -> true, (request, ignored) -> {
			})
			.toBodilessEntity();
		assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
		assertThat(servers.tokensIssued("orders")).isEqualTo(issued + 1);
		assertThat(servers.last(1)).extracting(Received::path).containsExactly("/api/admin");
	}

	@Test
	void requestToAnotherHostCarriesNoToken() {
		int issued = servers.tokensIssued("orders");
		String otherOrigin = servers.resourceUrl().replace("localhost", "127.0.0.1");
		assertThat(this.orders.get().uri(otherOrigin + "/api/public").retrieve().body(String.class))
			.isEqualTo("ok /api/public");
		assertThat(servers.last(1)).extracting(Received::authorization).containsExactly("");
		assertThat(servers.tokensIssued("orders")).isEqualTo(issued);
	}

	@Test
	void clientNamedOnTheRequestSendsThatClientsToken() {
		int issued = servers.tokensIssued("billing");
		String otherOrigin = servers.resourceUrl().replace("localhost", "127.0.0.1");
		assertThat(this.orders.get()
			.uri(otherOrigin + "/invoices")
			.attributes(TokenRefresh.client("billing"))
			.retrieve()
			.body(String.class)).isEqualTo("ok /invoices");
		assertThat(servers.last(1)).extracting(Received::authorization)
			.containsExactly("Bearer billing-" + (issued + 1));
	}

	@Test
	void qualifiedRestClientAndWebClientOfAClientShareOneToken() {
		int issued = servers.tokensIssued("orders");
		get("/api/orders");
		assertThat(this.ordersWebClient.get().uri("/orders").retrieve().bodyToMono(String.class)
			.block(Duration.ofSeconds(10))).isEqualTo("ok /api/orders");
		assertThat(servers.tokensIssued("orders")).isEqualTo(issued + 1);
		assertThat(servers.last(2)).extracting(Received::authorization)
			.containsExactly("Bearer orders-" + (issued + 1), "Bearer orders-" + (issued + 1));
	}

	@Test
	void bootsRestClientBuilderAndRestTemplateBuilderCarryTheInterceptor() {
		int issued = servers.tokensIssued("orders");
		RestClient fromBuilder = this.restClientBuilder.build();
		RestTemplate fromTemplateBuilder = this.restTemplateBuilder.build();
		assertThat(fromBuilder.get().uri(servers.resourceUrl() + "/api/a").retrieve().body(String.class))
			.isEqualTo("ok /api/a");
		assertThat(fromTemplateBuilder.getForObject(servers.resourceUrl() + "/api/b", String.class))
			.isEqualTo("ok /api/b");
		assertThat(servers.last(2)).extracting(Received::authorization)
			.containsExactly("Bearer orders-" + (issued + 1), "Bearer orders-" + (issued + 1));
	}

	@Test
	void neverLogsASecretOrATokenAtDebug(CapturedOutput output) {
		int issued = servers.tokensIssued("orders");
		get("/api/orders");
		servers.revoke("orders-" + (issued + 1));
		get("/api/orders");
		assertThat(output).contains("Obtained token for client 'orders'")
			.doesNotContain("orders-secret")
			.doesNotContain("billing-secret")
			.doesNotContainPattern("orders-\\d");
	}

	private String get(String path) {
		return this.orders.get().uri(servers.resourceUrl() + path).retrieve().body(String.class);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		MutableClock tokenRefreshClock() {
			return new MutableClock();
		}

	}

}
