package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.web.TokenRefreshClientHttpRequestInterceptor;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.client.autoconfigure.imperative.ImperativeHttpClientAutoConfiguration;
import org.springframework.boot.http.client.autoconfigure.service.HttpServiceClientPropertiesAutoConfiguration;
import org.springframework.boot.restclient.RestTemplateBuilder;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration;
import org.springframework.boot.restclient.autoconfigure.service.HttpServiceClientAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.service.annotation.GetExchange;
import org.springframework.web.service.annotation.HttpExchange;
import org.springframework.web.service.registry.HttpServiceGroup.ClientType;
import org.springframework.web.service.registry.ImportHttpServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token interceptor reaches Boot's {@code RestClient.Builder} and {@code RestTemplateBuilder}, the per-client
 * RestClient beans, {@code REST_CLIENT} HTTP service groups named like a client, and RestClients and RestTemplates
 * the application built itself, each exactly once, against real token and resource servers.
 */
class RestClientWiringIntegrationTests {

	private final TokenAndResourceServers servers = new TokenAndResourceServers();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(ImperativeHttpClientAutoConfiguration.class,
				RestClientAutoConfiguration.class, RestTemplateAutoConfiguration.class,
				HttpServiceClientPropertiesAutoConfiguration.class, HttpServiceClientAutoConfiguration.class,
				WebClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class));

	@BeforeEach
	void startServers() throws IOException {
		this.servers.start();
	}

	@AfterEach
	void stopServers() {
		this.servers.close();
	}

	@Test
	void definesTheInterceptorCustomizersAndAQualifiedRestClientPerClient() {
		this.contextRunner.withPropertyValues(billing()).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(TokenRefreshClientHttpRequestInterceptor.class);
			assertThat(context).hasSingleBean(TokenRefreshRestClientCustomizer.class);
			assertThat(context).hasSingleBean(TokenRefreshRestTemplateCustomizer.class);
			assertThat(context).hasSingleBean(TokenRefreshRestClientBeanPostProcessor.class);
			assertThat(context).hasSingleBean(TokenRefreshRestClientHttpServiceGroupConfigurer.class);
			assertThat(context.getBean(TokenRefreshClientHttpRequestInterceptor.class).getClients())
				.containsOnlyKeys("billing");
			// A single-client application injects a plain RestClient, as it does a plain WebClient.
			assertThat(context).getBean(RestClient.class).isSameAs(context.getBean("billingRestClient"));
			assertThat(context).getBean(WebClient.class).isSameAs(context.getBean("billing"));
			assertThat(tokenInterceptorCount(context.getBean(RestClient.class))).isOne();
			assertThat(context.getBean(RestClient.class).get().uri("/orders").retrieve().body(String.class))
				.isEqualTo("ok /orders");
			assertThat(this.servers.resourceAuthorizations()).containsExactly(List.of("Bearer billing-1"));
		});
	}

	@Test
	void registerBeanFalseDefinesNeitherTheWebClientNorTheRestClient() {
		this.contextRunner.withPropertyValues(billing())
			.withPropertyValues("token-refresh.clients.billing.register-bean=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean("billing");
				assertThat(context).doesNotHaveBean("billingRestClient");
				assertThat(context).hasSingleBean(TokenRefreshClientHttpRequestInterceptor.class);
			});
	}

	@Test
	void restClientsAndRestTemplatesOfTheApplicationGetTheTokenOnce() {
		this.contextRunner.withUserConfiguration(ResourceClients.class).withPropertyValues(billing()).run((context) -> {
			assertThat(context).hasNotFailed();
			List<String> paths = List.of("/created", "/from-boot-builder", "/double", "/template-created",
					"/template-from-builder");
			assertThat(get(context.getBean("created", RestClient.class), "/created")).isEqualTo("ok /created");
			assertThat(get(context.getBean("fromBootBuilder", RestClient.class), "/from-boot-builder"))
				.isEqualTo("ok /from-boot-builder");
			assertThat(get(context.getBean("doubleIntercepted", RestClient.class), "/double")).isEqualTo("ok /double");
			assertThat(context.getBean("templateCreated", RestTemplate.class)
				.getForObject(this.servers.resourceUrl() + "/template-created", String.class))
				.isEqualTo("ok /template-created");
			assertThat(context.getBean("templateFromBuilder", RestTemplate.class)
				.getForObject(this.servers.resourceUrl() + "/template-from-builder", String.class))
				.isEqualTo("ok /template-from-builder");
			assertThat(this.servers.resourceAuthorizations()).hasSize(paths.size())
				.allSatisfy((authorizations) -> assertThat(authorizations).containsExactly("Bearer billing-1"));
			assertThat(this.servers.tokenRequests()).isOne();
			assertThat(tokenInterceptorCount(context.getBean("fromBootBuilder", RestClient.class))).isOne();
			assertThat(context.getBean("templateFromBuilder", RestTemplate.class).getInterceptors()
				.stream()
				.filter((interceptor) -> interceptor instanceof DeferredTokenRefreshInterceptor
						|| interceptor instanceof TokenRefreshClientHttpRequestInterceptor)
				.count()).isOne();
		});
	}

	@Test
	void restClientCreatedByTheApplicationSendsNoTokenWhenApplyToAllIsOff() {
		this.contextRunner.withUserConfiguration(ResourceClients.class)
			.withPropertyValues(billing())
			.withPropertyValues("token-refresh.apply-to-all-web-clients=false")
			.run((context) -> {
				get(context.getBean("created", RestClient.class), "/created");
				context.getBean("templateCreated", RestTemplate.class)
					.getForObject(this.servers.resourceUrl() + "/template-created", String.class);
				assertThat(this.servers.resourceAuthorizations()).containsExactly(List.of(), List.of());
				assertThat(this.servers.tokenRequests()).isZero();
			});
	}

	@Test
	void restClientHttpServiceGroupNamedLikeAClientSendsThatClientsToken() {
		// No base-url: only the group's name links its requests to the client.
		this.contextRunner.withUserConfiguration(HttpServices.class)
			.withPropertyValues("token-refresh.clients.billing.token-uri=" + this.servers.tokenUri(),
					"token-refresh.clients.billing.client-id=billing",
					"token-refresh.clients.billing.client-secret=billing-secret",
					"spring.http.serviceclient.billing.base-url=" + this.servers.resourceUrl(),
					"spring.http.serviceclient.other.base-url=" + this.servers.resourceUrl())
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(InvoicesApi.class).list()).isEqualTo("ok /invoices");
				assertThat(context.getBean(StatusApi.class).status()).isEqualTo("ok /status");
				assertThat(this.servers.resourceAuthorizations()).containsExactly(List.of("Bearer billing-1"),
						List.of());
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

	private static String get(RestClient client, String path) {
		return client.get().uri(path).retrieve().body(String.class);
	}

	private static int tokenInterceptorCount(RestClient restClient) {
		AtomicInteger count = new AtomicInteger();
		restClient.mutate().requestInterceptors((interceptors) -> {
			for (ClientHttpRequestInterceptor interceptor : interceptors) {
				if (interceptor instanceof DeferredTokenRefreshInterceptor
						|| interceptor instanceof TokenRefreshClientHttpRequestInterceptor) {
					count.incrementAndGet();
				}
			}
		});
		return count.get();
	}

	@HttpExchange("/invoices")
	interface InvoicesApi {

		@GetExchange
		String list();

	}

	@HttpExchange("/status")
	interface StatusApi {

		@GetExchange
		String status();

	}

	@Configuration(proxyBeanMethods = false)
	@ImportHttpServices(group = "billing", types = InvoicesApi.class, clientType = ClientType.REST_CLIENT)
	@ImportHttpServices(group = "other", types = StatusApi.class, clientType = ClientType.REST_CLIENT)
	static class HttpServices {

	}

	@Configuration(proxyBeanMethods = false)
	static class ResourceClients {

		@Bean
		RestClient created(@Value("${test.resource-url}") String resourceUrl) {
			return RestClient.create(resourceUrl);
		}

		@Bean
		RestClient fromBootBuilder(RestClient.Builder builder, @Value("${test.resource-url}") String resourceUrl) {
			return builder.baseUrl(resourceUrl).build();
		}

		@Bean
		RestClient doubleIntercepted(RestClient.Builder builder, TokenRefreshClientHttpRequestInterceptor interceptor,
				@Value("${test.resource-url}") String resourceUrl) {
			// Boot's builder already carries the interceptor; the application adds the bean a second time.
			return builder.baseUrl(resourceUrl).requestInterceptor(interceptor).build();
		}

		@Bean
		RestTemplate templateCreated() {
			return new RestTemplate();
		}

		@Bean
		RestTemplate templateFromBuilder(RestTemplateBuilder builder) {
			return builder.build();
		}

	}

}
