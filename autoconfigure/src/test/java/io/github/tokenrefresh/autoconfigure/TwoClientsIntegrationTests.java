package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clients configured in {@code application-two-clients.yml}: each {@code @Qualifier} WebClient carries its own
 * client's token, fetched once however many requests are sent at the same time.
 */
@SpringBootTest(classes = TwoClientsIntegrationTests.Application.class,
		webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ActiveProfiles("two-clients")
class TwoClientsIntegrationTests {

	private static final TokenAndResourceServers billing = new TokenAndResourceServers();

	private static final TokenAndResourceServers shipping = new TokenAndResourceServers();

	@Autowired
	@Qualifier("billing")
	private WebClient billingClient;

	@Autowired
	@Qualifier("shipping")
	private WebClient shippingClient;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) throws IOException {
		billing.start();
		shipping.start();
		registry.add("test.billing.resource-url", billing::resourceUrl);
		registry.add("test.billing.token-uri", billing::tokenUri);
		registry.add("test.shipping.resource-url", shipping::resourceUrl);
		registry.add("test.shipping.token-uri", shipping::tokenUri);
	}

	@AfterAll
	static void stopServers() {
		billing.close();
		shipping.close();
	}

	@Test
	void eachQualifiedWebClientCarriesItsOwnClientsTokenFetchedOnce() {
		Flux<String> requests = Flux.range(0, 20)
			.flatMap((i) -> get((i % 2 == 0) ? this.billingClient : this.shippingClient, "/items/" + i));
		StepVerifier.create(requests).expectNextCount(20).expectComplete().verify(Duration.ofSeconds(20));
		assertThat(billing.tokenRequests()).isOne();
		assertThat(shipping.tokenRequests()).isOne();
		assertThat(billing.tokensIssued("billing")).isOne();
		assertThat(shipping.tokensIssued("shipping")).isOne();
		assertThat(billing.resourceAuthorizations()).hasSize(10).allSatisfy(
				(authorizations) -> assertThat(authorizations).containsExactly("Bearer billing-1"));
		assertThat(shipping.resourceAuthorizations()).hasSize(10).allSatisfy(
				(authorizations) -> assertThat(authorizations).containsExactly("Bearer shipping-1"));
	}

	private static Flux<String> get(WebClient client, String path) {
		return client.get().uri(path).retrieve().bodyToFlux(String.class);
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

	}

}
