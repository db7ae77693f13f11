package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Spring Boot application configured from {@code application-single-client.yml} alone autowires a plain
 * {@link WebClient} whose requests carry a token from a real token endpoint.
 */
@SpringBootTest(classes = SingleClientIntegrationTests.Application.class,
		webEnvironment = SpringBootTest.WebEnvironment.NONE)
@ActiveProfiles("single-client")
@ExtendWith(OutputCaptureExtension.class)
class SingleClientIntegrationTests {

	private static final TokenAndResourceServers billing = new TokenAndResourceServers();

	@Autowired
	private WebClient webClient;

	@Autowired
	@Qualifier("billingTokenManager")
	private TokenManager manager;

	@Autowired
	private MutableClock clock;

	@DynamicPropertySource
	static void servers(DynamicPropertyRegistry registry) throws IOException {
		billing.start();
		registry.add("test.billing.resource-url", billing::resourceUrl);
		registry.add("test.billing.token-uri", billing::tokenUri);
	}

	@AfterAll
	static void stopServers() {
		billing.close();
	}

	@BeforeEach
	void forgetTheToken() {
		StepVerifier.create(this.manager.evict()).verifyComplete();
	}

	@Test
	void fetchesTheTokenOnceAndReusesIt() {
		int issued = billing.tokensIssued("billing");
		get("/orders");
		get("/orders/1");
		assertThat(billing.tokensIssued("billing")).isEqualTo(issued + 1);
		List<List<String>> authorizations = lastAuthorizations(2);
		assertThat(authorizations.get(0)).containsExactly("Bearer billing-" + (issued + 1));
		assertThat(authorizations.get(1)).isEqualTo(authorizations.get(0));
	}

	@Test
	void refreshesTheTokenOnceItExpires() {
		int issued = billing.tokensIssued("billing");
		get("/orders");
		this.clock.advance(Duration.ofMinutes(10));
		get("/orders");
		get("/orders");
		assertThat(billing.tokensIssued("billing")).isEqualTo(issued + 2);
		List<List<String>> authorizations = lastAuthorizations(3);
		assertThat(authorizations.get(0)).containsExactly("Bearer billing-" + (issued + 1));
		assertThat(authorizations.get(1)).containsExactly("Bearer billing-" + (issued + 2));
		assertThat(authorizations.get(2)).containsExactly("Bearer billing-" + (issued + 2));
	}

	@Test
	void refreshesAheadOfExpiryWithinRefreshBeforeExpiry() {
		int issued = billing.tokensIssued("billing");
		get("/orders");
		// 300 s tokens and refresh-before-expiry 60s: at 250 s the token is replaced before it is used.
		this.clock.advance(Duration.ofSeconds(250));
		get("/orders");
		assertThat(billing.tokensIssued("billing")).isEqualTo(issued + 2);
	}

	@Test
	void retriesWithANewTokenAfterA401() {
		int issued = billing.tokensIssued("billing");
		get("/orders");
		billing.revoke("billing-" + (issued + 1));
		get("/orders");
		assertThat(billing.tokensIssued("billing")).isEqualTo(issued + 2);
		List<List<String>> authorizations = lastAuthorizations(3);
		assertThat(authorizations.get(1)).containsExactly("Bearer billing-" + (issued + 1));
		assertThat(authorizations.get(2)).containsExactly("Bearer billing-" + (issued + 2));
	}

	@Test
	void leavesRequestsToOtherHostsAlone() {
		int requests = billing.tokenRequests();
		String otherOrigin = billing.resourceUrl().replace("localhost", "127.0.0.1");
		StepVerifier.create(this.webClient.get().uri(otherOrigin + "/public").retrieve().bodyToMono(String.class))
			.expectNext("ok /public")
			.verifyComplete();
		assertThat(lastAuthorizations(1).get(0)).isEmpty();
		assertThat(billing.tokenRequests()).isEqualTo(requests);
	}

	@Test
	void neverLogsTheClientSecretOrATokenAtDebug(CapturedOutput output) {
		int issued = billing.tokensIssued("billing");
		get("/orders");
		billing.revoke("billing-" + (issued + 1));
		get("/orders");
		this.clock.advance(Duration.ofMinutes(10));
		get("/orders");
		assertThat(output).contains("Obtained token for client 'billing'")
			.doesNotContain("billing-secret")
			.doesNotContainPattern("billing-\\d");
	}

	private void get(String path) {
		StepVerifier.create(this.webClient.get().uri(path).retrieve().bodyToMono(String.class))
			.expectNext("ok " + path)
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

	private static List<List<String>> lastAuthorizations(int count) {
		List<List<String>> all = billing.resourceAuthorizations();
		return all.subList(all.size() - count, all.size());
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
