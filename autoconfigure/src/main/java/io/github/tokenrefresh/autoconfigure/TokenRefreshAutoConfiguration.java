package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.github.tokenrefresh.event.TokenRefreshEventPublisher;
import io.github.tokenrefresh.web.TokenClient;
import io.github.tokenrefresh.web.TokenRefreshClientHttpRequestInterceptor;
import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Auto-configuration that makes reactive {@link WebClient}s, and blocking {@code RestClient}s and
 * {@code RestTemplate}s, carry the tokens of the clients configured under {@code token-refresh.clients}.
 * <p>
 * Every bean backs off when the application defines its own: a {@link TokenStore}, {@link TokenEndpoints},
 * {@link TokenRefreshExchangeFilterFunction}, {@link TokenRefreshClientHttpRequestInterceptor}, a
 * {@link TokenManager} named {@code <client>TokenManager}, a {@link WebClient} named after the client or a
 * {@code RestClient} named {@code <client>RestClient}. Every
 * {@link io.github.tokenrefresh.core.TokenRefreshListener} bean is told what each client's manager does; a
 * {@link TokenRefreshEventPublisher} turns that into application events. A
 * {@link io.github.tokenrefresh.core.TokenSource} bean named {@code <client>TokenSource} replaces the token source
 * that the client's properties describe, and a {@link java.time.Clock} bean named {@code tokenRefreshClock}
 * decides token expiry.
 * <p>
 * The filter reaches WebClients built from Spring Boot's {@code WebClient.Builder} (a customizer), the per-client
 * WebClient beans, HTTP service groups named like a client, and, unless
 * {@code token-refresh.apply-to-all-web-clients} is {@code false}, WebClient beans built any other way. The
 * interceptor, over the same token managers, reaches RestClients and RestTemplates the same ways: Spring Boot's
 * builders (customizers), the per-client RestClient beans, {@code REST_CLIENT} service groups and, under the same
 * switch, RestClient and RestTemplate beans built otherwise. No client carries either twice.
 */
@AutoConfiguration(afterName = { "org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration",
		"org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration",
		"org.springframework.boot.restclient.autoconfigure.RestTemplateAutoConfiguration" })
@ConditionalOnClass(WebClient.class)
@ConditionalOnBooleanProperty(name = "token-refresh.enabled", matchIfMissing = true)
@EnableConfigurationProperties(TokenRefreshProperties.class)
@Import(TokenRefreshBeanRegistrar.class)
public final class TokenRefreshAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(TokenStore.class)
	@Conditional(StoreTypeCondition.InMemory.class)
	InMemoryTokenStore tokenRefreshTokenStore() {
		return new InMemoryTokenStore();
	}

	@Bean
	@ConditionalOnMissingBean(TokenStore.class)
	@Conditional(StoreTypeCondition.Redis.class)
	TokenStore tokenRefreshMissingRedisTokenStore() {
		// The Redis store's auto-configuration runs first and defines the store when Redis is available; reaching
		// here means it could not, and silently falling back to memory would hide a fleet-wide misconfiguration.
		throw new InvalidTokenRefreshConfigurationException("token-refresh.store.type",
				"token-refresh.store.type is redis but there is no Redis TokenStore: the application has no reactive "
						+ "Redis connection",
				"Add spring-boot-starter-data-redis-reactive to the application and configure spring.data.redis.* "
						+ "(host, port, password), or set token-refresh.store.type to in-memory.");
	}

	@Bean
	@ConditionalOnMissingBean
	TokenEndpoints tokenRefreshTokenEndpoints(ListableBeanFactory beanFactory) {
		return TokenEndpoints.builder()
			.webClientBuilder(ClientTokenManagers.tokenEndpointsWebClientBuilder(beanFactory))
			.build();
	}

	@Bean
	ClientTokenManagers tokenRefreshClientTokenManagers(TokenRefreshProperties properties,
			ListableBeanFactory beanFactory, Environment environment) {
		return new ClientTokenManagers(properties, beanFactory, Binder.get(environment));
	}

	@Bean(ClientBeans.BEAN_NAME)
	ClientBeans tokenRefreshClientBeans(TokenRefreshProperties properties, ClientTokenManagers tokenManagers,
			ListableBeanFactory beanFactory) {
		return new ClientBeans(properties, tokenManagers, beanFactory);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenRefreshExchangeFilterFunction tokenRefreshExchangeFilterFunction(TokenRefreshProperties properties,
			ListableBeanFactory beanFactory) {
		return new TokenRefreshExchangeFilterFunction(tokenClients(properties, beanFactory));
	}

	@Bean
	@ConditionalOnMissingBean
	TokenRefreshClientHttpRequestInterceptor tokenRefreshClientHttpRequestInterceptor(
			TokenRefreshProperties properties, ListableBeanFactory beanFactory) {
		Map<String, Duration> tokenWaits = new LinkedHashMap<>();
		properties.getClients()
			.forEach((name, client) -> tokenWaits.put(name, ClientTokenManagers.tokenWait(client)));
		return new TokenRefreshClientHttpRequestInterceptor(tokenClients(properties, beanFactory), tokenWaits);
	}

	private static List<TokenClient> tokenClients(TokenRefreshProperties properties, ListableBeanFactory beanFactory) {
		List<TokenClient> clients = new ArrayList<>();
		for (Map.Entry<String, Client> entry : properties.getClients().entrySet()) {
			TokenManager manager = beanFactory.getBean(entry.getKey() + ClientTokenManagers.TOKEN_MANAGER_SUFFIX,
					TokenManager.class);
			Client client = entry.getValue();
			clients.add(TokenClient.builder(manager)
				.baseUrl(client.getBaseUrl())
				.headerName(client.getHeaderName())
				.headerPrefix(client.getHeaderPrefix())
				.retryOnUnauthorized(client.getRetryOnUnauthorized())
				.maxReplayBodySize(client.getMaxReplayBodySize().toBytes())
				.build());
		}
		return clients;
	}

	@Bean
	@ConditionalOnMissingBean
	TokenRefreshEventPublisher tokenRefreshEventPublisher(ApplicationEventPublisher publisher) {
		return new TokenRefreshEventPublisher(publisher);
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "token-refresh.apply-to-all-web-clients", matchIfMissing = true)
	static TokenRefreshWebClientBeanPostProcessor tokenRefreshWebClientBeanPostProcessor(
			ObjectProvider<TokenRefreshExchangeFilterFunction> filters) {
		return new TokenRefreshWebClientBeanPostProcessor(filters);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenRefreshHttpServiceGroupConfigurer tokenRefreshHttpServiceGroupConfigurer(TokenRefreshProperties properties,
			ObjectProvider<TokenRefreshExchangeFilterFunction> filters) {
		return new TokenRefreshHttpServiceGroupConfigurer(properties.getClients().keySet(),
				new DeferredTokenRefreshFilter(filters));
	}

	@Bean
	@ConditionalOnBooleanProperty(name = "token-refresh.apply-to-all-web-clients", matchIfMissing = true)
	static TokenRefreshRestClientBeanPostProcessor tokenRefreshRestClientBeanPostProcessor(
			ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
		return new TokenRefreshRestClientBeanPostProcessor(interceptors);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenRefreshRestClientHttpServiceGroupConfigurer tokenRefreshRestClientHttpServiceGroupConfigurer(
			TokenRefreshProperties properties, ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
		return new TokenRefreshRestClientHttpServiceGroupConfigurer(properties.getClients().keySet(),
				new DeferredTokenRefreshInterceptor(interceptors));
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(RestClientCustomizer.class)
	static class RestClientCustomizerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TokenRefreshRestClientCustomizer tokenRefreshRestClientCustomizer(
				ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
			return new TokenRefreshRestClientCustomizer(new DeferredTokenRefreshInterceptor(interceptors));
		}

		@Bean
		@ConditionalOnMissingBean
		TokenRefreshRestTemplateCustomizer tokenRefreshRestTemplateCustomizer(
				ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
			return new TokenRefreshRestTemplateCustomizer(new DeferredTokenRefreshInterceptor(interceptors));
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(WebClientCustomizer.class)
	static class WebClientCustomizerConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TokenRefreshWebClientCustomizer tokenRefreshWebClientCustomizer(
				ObjectProvider<TokenRefreshExchangeFilterFunction> filters) {
			return new TokenRefreshWebClientCustomizer(new DeferredTokenRefreshFilter(filters));
		}

	}

}
