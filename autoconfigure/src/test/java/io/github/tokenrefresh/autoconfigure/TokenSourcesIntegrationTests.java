package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.security.oauth2.client.autoconfigure.reactive.ReactiveOAuth2ClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each kind of token source that properties describe obtains a real token: a registration from the environment, a
 * registration from Spring Boot's OAuth2 client repository, a password grant, an in-house login, and a per-client
 * timeout.
 */
class TokenSourcesIntegrationTests {

	private static final String C = "token-refresh.clients.billing.";

	private static final String REGISTRATION = "spring.security.oauth2.client.registration.partner.";

	private final TokenAndResourceServers servers = new TokenAndResourceServers();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(WebClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class));

	@BeforeEach
	void startServers() throws IOException {
		this.servers.start();
	}

	@AfterEach
	void stopServers() {
		this.servers.close();
	}

	@Test
	void registrationIdBuildsTheRegistrationFromPropertiesWithoutSpringSecurityConfiguration() {
		this.contextRunner
			.withPropertyValues(C + "base-url=" + this.servers.resourceUrl(), C + "registration-id=partner",
				REGISTRATION + "client-id=partner-app", REGISTRATION + "client-secret=partner-secret",
				REGISTRATION + "authorization-grant-type=client_credentials",
				"spring.security.oauth2.client.provider.partner.token-uri=" + this.servers.tokenUri())
			.run((context) -> {
				assertThat(context).doesNotHaveBean(ReactiveClientRegistrationRepository.class);
				get(context.getBean("billing", WebClient.class));
				assertThat(this.servers.resourceAuthorizations().get(0)).containsExactly("Bearer partner-app-1");
			});
	}

	@Test
	void registrationIdUsesSpringBootsClientRegistrationRepositoryWhenThereIsOne() {
		new ReactiveWebApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(ReactiveOAuth2ClientAutoConfiguration.class,
					WebClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class))
			.withPropertyValues(C + "base-url=" + this.servers.resourceUrl(), C + "registration-id=partner",
					REGISTRATION + "client-id=partner-app", REGISTRATION + "client-secret=partner-secret",
					REGISTRATION + "authorization-grant-type=client_credentials",
					"spring.security.oauth2.client.provider.partner.token-uri=" + this.servers.tokenUri())
			.run((context) -> {
				assertThat(context).hasSingleBean(ReactiveClientRegistrationRepository.class);
				get(context.getBean("billing", WebClient.class));
				assertThat(this.servers.resourceAuthorizations().get(0)).containsExactly("Bearer partner-app-1");
			});
	}

	@Test
	void passwordGrantSendsTheConfiguredResourceOwner() {
		this.contextRunner
			.withPropertyValues(C + "base-url=" + this.servers.resourceUrl(),
					C + "token-uri=" + this.servers.tokenUri(), C + "grant-type=password", C + "client-id=app",
					C + "client-authentication-method=client_secret_post",
					C + "username=alice", C + "password=alice-password")
			.run((context) -> {
				get(context.getBean("billing", WebClient.class));
				assertThat(this.servers.resourceAuthorizations().get(0)).containsExactly("Bearer app-1");
				assertThat(this.servers.tokenRequestBodies()).singleElement()
					.satisfies((body) -> assertThat(body).contains("grant_type=password", "username=alice",
							"client_id=app"));
			});
	}

	@Test
	void loginUriObtainsTokensFromAnInHouseLoginEndpoint() {
		this.contextRunner
			.withPropertyValues(C + "base-url=" + this.servers.resourceUrl(),
					C + "login.uri=" + this.servers.tokenUri().replace("/oauth2/token", "/auth/login"),
					C + "login.body.username=bob", C + "login.body.password=bob-password")
			.run((context) -> {
				get(context.getBean("billing", WebClient.class));
				assertThat(this.servers.resourceAuthorizations().get(0)).containsExactly("Bearer bob-1");
				assertThat(this.servers.tokenRequestBodies()).singleElement()
					.satisfies((body) -> assertThat(body).contains("\"username\":\"bob\""));
			});
	}

	@Test
	void clientTimeoutBoundsEachTokenEndpointCall() {
		this.servers.delayTokens(Duration.ofSeconds(30));
		this.contextRunner
			.withPropertyValues(C + "token-uri=" + this.servers.tokenUri(), C + "client-id=app", C + "timeout=200ms")
			.run((context) -> StepVerifier.create(context.getBean("billingTokenManager", TokenManager.class).getToken())
				.expectError(TokenAcquisitionException.class)
				.verify(Duration.ofSeconds(10)));
	}

	private static void get(WebClient client) {
		StepVerifier.create(client.get().uri("/orders").retrieve().bodyToMono(String.class))
			.expectNext("ok /orders")
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

}
