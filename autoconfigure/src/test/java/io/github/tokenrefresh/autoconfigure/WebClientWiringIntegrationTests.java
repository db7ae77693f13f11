package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.service.ReactiveHttpServiceClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.registry.HttpServiceGroup.ClientType;
import org.springframework.web.service.registry.ImportHttpServices;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token filter reaches HTTP service groups named like a client and WebClient beans the application built
 * itself, each exactly once, against real token and resource servers.
 */
class WebClientWiringIntegrationTests {

	private final TokenAndResourceServers servers = new TokenAndResourceServers();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ReactiveHttpClientAutoConfiguration.class,
				WebClientAutoConfiguration.class, HttpServiceClientPropertiesAutoConfiguration.class,
				ReactiveHttpServiceClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class));

	@BeforeEach
	void startServers() throws IOException {
		this.servers.start();
	}

	@AfterEach
	void stopServers() {
		this.servers.close();
	}

	@Test
	void httpServiceGroupNamedLikeAClientSendsThatClientsToken() {
		// No base-url: only the group's name links its requests to the client.
		this.contextRunner.withUserConfiguration(HttpServices.class)
			.withPropertyValues("token-refresh.clients.billing.token-uri=" + this.servers.tokenUri(),
					"token-refresh.clients.billing.client-id=billing",
					"token-refresh.clients.billing.client-secret=billing-secret",
					"spring.http.serviceclient.billing.base-url=" + this.servers.resourceUrl(),
					"spring.http.serviceclient.other.base-url=" + this.servers.resourceUrl())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				StepVerifier.create(context.getBean(InvoicesApi.class).list())
					.expectNext("ok /invoices")
					.expectComplete()
					.verify(Duration.ofSeconds(10));
				StepVerifier.create(context.getBean(StatusApi.class).status())
					.expectNext("ok /status")
					.expectComplete()
					.verify(Duration.ofSeconds(10));
				assertThat(this.servers.resourceAuthorizations()).hasSize(2);
				assertThat(this.servers.resourceAuthorizations().get(0)).containsExactly("Bearer billing-1");
				assertThat(this.servers.resourceAuthorizations().get(1)).isEmpty();
				assertThat(this.servers.tokenRequests()).isOne();
			});
	}

	@Test
	void webClientBeansOfTheApplicationGetTheTokenOnce() {
		this.contextRunner.withUserConfiguration(ResourceWebClients.class)
			.withPropertyValues(billing())
			.run((context) -> {
				get(context.getBean("created", WebClient.class), "/created");
				get(context.getBean("fromBootBuilder", WebClient.class), "/from-boot-builder");
				assertThat(this.servers.resourceAuthorizations()).hasSize(2).allSatisfy(
						(authorizations) -> assertThat(authorizations).containsExactly("Bearer billing-1"));
				assertThat(this.servers.tokenRequests()).isOne();
			});
	}

	@Test
	void webClientCreatedByTheApplicationSendsNoTokenWhenApplyToAllIsOff() {
		this.contextRunner.withUserConfiguration(ResourceWebClients.class)
			.withPropertyValues(billing())
			.withPropertyValues("token-refresh.apply-to-all-web-clients=false")
			.run((context) -> {
				get(context.getBean("created", WebClient.class), "/created");
				assertThat(this.servers.resourceAuthorizations().get(0)).isEmpty();
				assertThat(this.servers.tokenRequests()).isZero();
			});
	}

	@Test
	void webClientWithItsOwnCopyOfTheFilterSendsOneToken() {
		this.contextRunner.withUserConfiguration(DoubleFiltered.class).withPropertyValues(billing()).run((context) -> {
			get(context.getBean("doubleFiltered", WebClient.class), "/double");
			assertThat(this.servers.resourceAuthorizations().get(0)).containsExactly("Bearer billing-1");
			assertThat(this.servers.tokenRequests()).isOne();
		});
	}

	private String[] billing() {
		return new String[] { "token-refresh.clients.billing.base-url=" + this.servers.resourceUrl(),
				"token-refresh.clients.billing.token-uri=" + this.servers.tokenUri(),
				"token-refresh.clients.billing.client-id=billing",
				"token-refresh.clients.billing.client-secret=billing-secret",
				"test.resource-url=" + this.servers.resourceUrl() };
	}

	private static void get(WebClient client, String path) {
		StepVerifier.create(client.get().uri(path).retrieve().bodyToMono(String.class))
			.expectNext("ok " + path)
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

	@HttpExchange("/invoices")
	interface InvoicesApi {

		@GetExchange
		Mono<String> list();

	}

	@HttpExchange("/status")
	interface StatusApi {

		@GetExchange
		Mono<String> status();

	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "billing", types = InvoicesApi.class, clientType = ClientType.WEB_CLIENT)
	@ImportHttpServices(group = "other", types = StatusApi.class, clientType = ClientType.WEB_CLIENT)
	static class HttpServices {

	}

	@Configuration(proxyBeanMethods = false)
	static class DoubleFiltered {

		@Bean
		WebClient doubleFiltered(WebClient.Builder builder, TokenRefreshExchangeFilterFunction filter,
				@Value("${test.resource-url}") String resourceUrl) {
			// Boot's builder already carries the filter; the application adds the bean a second time.
			return builder.baseUrl(resourceUrl).filter(filter).build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ResourceWebClients {

		@Bean
		WebClient created(@Value("${test.resource-url}") String resourceUrl) {
			return WebClient.create(resourceUrl);
		}

		@Bean
		WebClient fromBootBuilder(WebClient.Builder builder, @Value("${test.resource-url}") String resourceUrl) {
			return builder.baseUrl(resourceUrl).build();
		}

	}

}
