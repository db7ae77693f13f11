package io.github.tokenrefresh.autoconfigure;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.github.tokenrefresh.web.TokenClient;
import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenRefreshAutoConfiguration}: which beans exist under which conditions.
 */
class TokenRefreshAutoConfigurationTests {

	private static final String[] BILLING = { "token-refresh.clients.billing.base-url=http://localhost:8081",
			"token-refresh.clients.billing.token-uri=http://localhost:9000/oauth2/token",
			"token-refresh.clients.billing.client-id=app", "token-refresh.clients.billing.client-secret=s3cr3t" };

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(WebClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class));

	@Test
	void definesEveryBeanForAConfiguredClient() {
		this.contextRunner.withPropertyValues(BILLING).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).hasSingleBean(InMemoryTokenStore.class);
			assertThat(context).hasSingleBean(TokenEndpoints.class);
			assertThat(context).hasSingleBean(TokenRefreshExchangeFilterFunction.class);
			assertThat(context).hasSingleBean(TokenRefreshWebClientCustomizer.class);
			assertThat(context).hasSingleBean(TokenRefreshHttpServiceGroupConfigurer.class);
			assertThat(context).hasSingleBean(TokenRefreshWebClientBeanPostProcessor.class);
			assertThat(context).getBean("billingTokenManager").isInstanceOf(TokenManager.class);
			assertThat(context).getBean("billing").isInstanceOf(WebClient.class);
			assertThat(filter(context).getClients()).containsOnlyKeys("billing");
			assertThat(tokenFilterCount(context.getBean("billing", WebClient.class))).isOne();
		});
	}

	@Test
	void definesTheStoreAndFilterWithoutAnyClient() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(TokenStore.class);
			assertThat(context).hasSingleBean(TokenRefreshExchangeFilterFunction.class);
			assertThat(context).doesNotHaveBean(WebClient.class);
			assertThat(context).doesNotHaveBean(TokenManager.class);
		});
	}

	@Test
	void backsOffWhenDisabled() {
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.enabled=false")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TokenStore.class);
				assertThat(context).doesNotHaveBean(TokenManager.class);
				assertThat(context).doesNotHaveBean(TokenRefreshExchangeFilterFunction.class);
				assertThat(context).doesNotHaveBean(TokenRefreshWebClientCustomizer.class);
				assertThat(context).doesNotHaveBean(TokenRefreshWebClientBeanPostProcessor.class);
				assertThat(context).doesNotHaveBean("billing");
			});
	}

	@Test
	void disabledStarterDoesNotValidateItsProperties() {
		this.contextRunner
			.withPropertyValues("token-refresh.enabled=false", "token-refresh.clients.billing.base-url=not a url")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void backsOffWithoutWebClientOnTheClasspath() {
		this.contextRunner.withPropertyValues(BILLING)
			.withClassLoader(new FilteredClassLoader(WebClient.class))
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TokenRefreshExchangeFilterFunction.class);
				assertThat(context).doesNotHaveBean(TokenStore.class);
			});
	}

	@Test
	void worksWithoutSpringBootWebClientModule() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(TokenRefreshAutoConfiguration.class))
			.withClassLoader(new FilteredClassLoader(WebClientCustomizer.class))
			.withPropertyValues(BILLING)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(TokenRefreshWebClientCustomizer.class);
				assertThat(context).doesNotHaveBean(WebClient.Builder.class);
				assertThat(tokenFilterCount(context.getBean("billing", WebClient.class))).isOne();
			});
	}

	@Test
	void userTokenStoreBacksOffTheInMemoryStore() {
		TokenStore store = new InMemoryTokenStore();
		this.contextRunner.withPropertyValues(BILLING)
			.withBean("myStore", TokenStore.class, () -> store)
			.run((context) -> {
				assertThat(context).hasSingleBean(TokenStore.class);
				assertThat(context).getBean(TokenStore.class).isSameAs(store);
				assertThat(context.getBean("billingTokenManager").toString()).contains(store.toString());
			});
	}

	@Test
	void storeTypeAcceptsEveryRelaxedSpellingOfInMemory() {
		for (String spelling : List.of("in-memory", "IN_MEMORY", "in_memory")) {
			this.contextRunner.withPropertyValues("token-refresh.store.type=" + spelling)
				.run((context) -> assertThat(context).hasSingleBean(InMemoryTokenStore.class));
		}
	}

	@Test
	void unknownStoreTypeFailsNamingTheProperty() {
		this.contextRunner.withPropertyValues("token-refresh.store.type=memcached").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("memcached");
			assertThat(context.getStartupFailure()).hasStackTraceContaining("token-refresh.store.type");
		});
	}

	@Test
	void redisStoreTypeWithoutRedisStoreFailsWithTheFix() {
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.store.type=redis")
			.run((context) -> {
				FailureAnalysis analysis = analyze(context);
				assertThat(analysis.getDescription()).contains("token-refresh.store.type is redis");
				assertThat(analysis.getAction()).contains("spring-boot-starter-data-redis-reactive")
					.contains("spring.data.redis.*");
			});
	}

	@Test
	void redisStoreTypeUsesTheTokenStoreBeanOfTheRedisAutoConfiguration() {
		TokenStore store = new InMemoryTokenStore();
		this.contextRunner.withPropertyValues("token-refresh.store.type=redis")
			.withBean("redisTokenStore", TokenStore.class, () -> store)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).getBean(TokenStore.class).isSameAs(store);
			});
	}

	@Test
	void userTokenEndpointsBackOff() {
		TokenEndpoints endpoints = TokenEndpoints.builder().timeout(Duration.ofSeconds(3)).build();
		this.contextRunner.withPropertyValues(BILLING)
			.withBean(TokenEndpoints.class, () -> endpoints)
			.run((context) -> assertThat(context).getBean(TokenEndpoints.class).isSameAs(endpoints));
	}

	@Test
	void clientTimeoutKeepsTheUserTokenEndpoints() {
		List<String> calls = new ArrayList<>();
		WebClient.Builder tokenServer = WebClient.builder().exchangeFunction((request) -> {
			calls.add(request.url().toString());
			return Mono.just(ClientResponse.create(HttpStatus.OK)
				.header("Content-Type", "application/json")
				.body("{\"access_token\":\"from-user-endpoints\",\"token_type\":\"Bearer\",\"expires_in\":300}")
				.build());
		});
		TokenEndpoints endpoints = TokenEndpoints.builder().webClientBuilder(tokenServer).build();
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.clients.billing.timeout=3s")
			.withBean(TokenEndpoints.class, () -> endpoints)
			.run((context) -> {
				TokenManager manager = context.getBean("billingTokenManager", TokenManager.class);
				StepVerifier.create(manager.getToken())
					.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("from-user-endpoints"))
					.verifyComplete();
				assertThat(calls).containsExactly("http://localhost:9000/oauth2/token");
			});
	}

	@Test
	void userTokenSourceNamedAfterTheClientReplacesTheConfiguredSource() {
		CountingTokenSource source = new CountingTokenSource("mine");
		this.contextRunner.withPropertyValues(BILLING)
			.withBean("billingTokenSource", TokenSource.class, () -> source)
			.run((context) -> {
				TokenManager manager = context.getBean("billingTokenManager", TokenManager.class);
				StepVerifier.create(manager.getToken())
					.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("mine-1"))
					.verifyComplete();
				assertThat(source.getAcquisitions()).isOne();
			});
	}

	@Test
	void userTokenSourceIsEnoughWithoutSourceProperties() {
		this.contextRunner.withPropertyValues("token-refresh.clients.billing.base-url=http://localhost:8081")
			.withBean("billingTokenSource", TokenSource.class, () -> new CountingTokenSource("mine"))
			.run((context) -> assertThat(context).hasNotFailed().hasBean("billingTokenManager"));
	}

	@Test
	void userTokenSourceOfAnotherClientDoesNotReplaceThisOne() {
		this.contextRunner.withPropertyValues("token-refresh.clients.billing.base-url=http://localhost:8081")
			.withBean("shippingTokenSource", TokenSource.class, () -> new CountingTokenSource("mine"))
			.run((context) -> assertThat(analyze(context).getDescription())
				.contains("token-refresh.clients.billing has no token source")
				.contains("billingTokenSource"));
	}

	@Test
	void userTokenSourceMayUseAWebClientBeanOfItsOwn() {
		this.contextRunner.withPropertyValues("token-refresh.clients.billing.base-url=http://localhost:8081")
			.withUserConfiguration(TokenSourceWithWebClient.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(tokenFilterCount(context.getBean("authWebClient", WebClient.class))).isOne();
				StepVerifier.create(context.getBean("billingTokenManager", TokenManager.class).getToken())
					.expectNextCount(1)
					.verifyComplete();
			});
	}

	@Test
	void userTokenManagerNamedAfterTheClientIsUsedByTheFilter() {
		TokenManager manager = TokenManager.builder("billing", new CountingTokenSource("mine")).build();
		this.contextRunner.withPropertyValues(BILLING)
			.withBean("billingTokenManager", TokenManager.class, () -> manager)
			.run((context) -> {
				assertThat(context).hasSingleBean(TokenManager.class);
				TokenClient client = filter(context).getClients().get("billing");
				assertThat(client.getManager()).isSameAs(manager);
			});
	}

	@Test
	void userFilterBacksOffTheDefaultFilter() {
		TokenRefreshExchangeFilterFunction filter = new TokenRefreshExchangeFilterFunction(List.of());
		this.contextRunner.withPropertyValues(BILLING)
			.withBean(TokenRefreshExchangeFilterFunction.class, () -> filter)
			.run((context) -> {
				assertThat(context).hasSingleBean(TokenRefreshExchangeFilterFunction.class);
				assertThat(context).getBean(TokenRefreshExchangeFilterFunction.class).isSameAs(filter);
			});
	}

	@Test
	void userCustomizerBacksOffTheDefaultCustomizer() {
		TokenRefreshWebClientCustomizer customizer = new TokenRefreshWebClientCustomizer(
				ExchangeFilterFunction.ofRequestProcessor(reactor.core.publisher.Mono::just));
		this.contextRunner.withBean(TokenRefreshWebClientCustomizer.class, () -> customizer)
			.run((context) -> assertThat(context).getBean(TokenRefreshWebClientCustomizer.class).isSameAs(customizer));
	}

	@Test
	void userBeanNamedLikeTheClientIsKept() {
		WebClient mine = WebClient.create("http://localhost:8081");
		this.contextRunner.withPropertyValues(BILLING)
			.withBean("billing", WebClient.class, () -> mine)
			.withPropertyValues("token-refresh.apply-to-all-web-clients=false")
			.run((context) -> {
				assertThat(context).hasSingleBean(WebClient.class);
				assertThat(context).getBean("billing").isSameAs(mine);
			});
	}

	@Test
	void noWebClientBeanWhenRegisterBeanIsFalse() {
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.clients.billing.register-bean=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(WebClient.class);
				assertThat(context).hasBean("billingTokenManager");
			});
	}

	@Test
	void noWebClientBeanForAClientWithoutBaseUrl() {
		this.contextRunner
			.withPropertyValues("token-refresh.clients.billing.token-uri=http://localhost:9000/oauth2/token",
					"token-refresh.clients.billing.client-id=app")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(WebClient.class);
				assertThat(filter(context).getClients()).containsKey("billing");
			});
	}

	@Test
	void oneWebClientBeanPerClient() {
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.clients.shipping.base-url=http://localhost:8082",
					"token-refresh.clients.shipping.token-uri=http://localhost:9000/oauth2/token",
					"token-refresh.clients.shipping.client-id=app")
			.run((context) -> {
				assertThat(context.getBeansOfType(WebClient.class)).containsOnlyKeys("billing", "shipping");
				assertThat(context.getBeansOfType(TokenManager.class)).containsOnlyKeys("billingTokenManager",
						"shippingTokenManager");
			});
	}

	@Test
	void webClientBeansBuiltByTheUserGetTheFilterOnce() {
		this.contextRunner.withUserConfiguration(UserWebClients.class).run((context) -> {
			assertThat(tokenFilterCount(context.getBean("created", WebClient.class))).isOne();
			assertThat(tokenFilterCount(context.getBean("fromBootBuilder", WebClient.class))).isOne();
		});
	}

	@Test
	void webClientBeansBuiltByTheUserKeepTheirFiltersWhenApplyToAllIsOff() {
		this.contextRunner.withUserConfiguration(UserWebClients.class)
			.withPropertyValues("token-refresh.apply-to-all-web-clients=false")
			.run((context) -> {
				assertThat(context).doesNotHaveBean(TokenRefreshWebClientBeanPostProcessor.class);
				assertThat(tokenFilterCount(context.getBean("created", WebClient.class))).isZero();
				assertThat(tokenFilterCount(context.getBean("fromBootBuilder", WebClient.class))).isOne();
			});
	}

	@Test
	void tokenEndpointsWebClientNeverCarriesTheTokenFilter() {
		this.contextRunner.withPropertyValues(BILLING).run((context) -> {
			WebClient.Builder builder = ClientTokenManagers.tokenEndpointsWebClientBuilder(context.getBeanFactory());
			assertThat(tokenFilterCount(builder.build())).isZero();
			assertThat(tokenFilterCount(context.getBean(WebClient.Builder.class).build())).isOne();
		});
	}

	@Test
	void keyPrefixNamesTheStoreKey() {
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.store.key-prefix=app:")
			.run((context) -> assertThat(context.getBean("billingTokenManager", TokenManager.class).getKey())
				.matches("app:\\{application:[0-9a-f]{16}\\}:billing"));
	}

	@Test
	void tokenRefreshClockBeanDecidesExpiry() {
		MutableClock clock = new MutableClock();
		CountingTokenSource source = new CountingTokenSource("mine", Duration.ofMinutes(10));
		this.contextRunner.withPropertyValues(BILLING)
			.withBean("tokenRefreshClock", Clock.class, () -> clock)
			.withBean("billingTokenSource", TokenSource.class, () -> source)
			.run((context) -> {
				TokenManager manager = context.getBean("billingTokenManager", TokenManager.class);
				StepVerifier.create(manager.getToken()).expectNextCount(1).verifyComplete();
				StepVerifier.create(manager.getToken()).expectNextCount(1).verifyComplete();
				assertThat(source.getAcquisitions()).isOne();
				clock.advance(Duration.ofHours(1));
				StepVerifier.create(manager.getToken())
					.assertNext((token) -> assertThat(token.getAccessToken()).isEqualTo("mine-2"))
					.verifyComplete();
			});
	}

	@Test
	void autoRefreshFalseIsPassedToTheManager() {
		this.contextRunner.withPropertyValues(BILLING)
			.withPropertyValues("token-refresh.clients.billing.auto-refresh=false")
			.withBean("billingTokenSource", TokenSource.class, () -> new CountingTokenSource("mine"))
			.run((context) -> StepVerifier.create(context.getBean("billingTokenManager", TokenManager.class).getToken())
				.expectErrorSatisfies((ex) -> assertThat(ex).hasMessageContaining("no token is held"))
				.verify(Duration.ofSeconds(5)));
	}

	@Test
	void registrationIdIsResolvedFromPropertiesWithoutARepository() {
		this.contextRunner
			.withPropertyValues("token-refresh.clients.billing.registration-id=billing",
					"spring.security.oauth2.client.registration.billing.client-id=app",
					"spring.security.oauth2.client.registration.billing.authorization-grant-type=client_credentials",
					"spring.security.oauth2.client.provider.billing.token-uri=http://localhost:9000/oauth2/token")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).doesNotHaveBean(ReactiveClientRegistrationRepository.class);
				assertThat(context).hasBean("billingTokenManager");
			});
	}

	@Test
	void registrationIdIsResolvedThroughTheApplicationsRepository() {
		ClientRegistration registration = ClientRegistration.withRegistrationId("partner")
			.clientId("app")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("http://localhost:9000/oauth2/token")
			.build();
		this.contextRunner.withPropertyValues("token-refresh.clients.billing.registration-id=partner")
			.withBean(ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration))
			.run((context) -> assertThat(context).hasNotFailed().hasBean("billingTokenManager"));
	}

	@Test
	void unknownRegistrationIdOfTheRepositoryFailsTheStart() {
		ClientRegistration registration = ClientRegistration.withRegistrationId("partner")
			.clientId("app")
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri("http://localhost:9000/oauth2/token")
			.build();
		this.contextRunner.withPropertyValues("token-refresh.clients.billing.registration-id=other")
			.withBean(ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration))
			.run((context) -> assertThat(analyze(context).getDescription())
				.contains("token-refresh.clients.billing.registration-id names no registration"));
	}

	@Test
	void grantOfARepositoryRegistrationIsCheckedAgainstTheClientsCredentials() {
		ClientRegistration registration = ClientRegistration.withRegistrationId("partner")
			.clientId("app")
			.authorizationGrantType(new AuthorizationGrantType("password"))
			.tokenUri("http://localhost:9000/oauth2/token")
			.build();
		this.contextRunner.withPropertyValues("token-refresh.clients.billing.registration-id=partner")
			.withBean(ReactiveClientRegistrationRepository.class,
					() -> new InMemoryReactiveClientRegistrationRepository(registration))
			.run((context) -> assertThat(analyze(context).getDescription())
				.contains("token-refresh.clients.billing.username is required with grant-type password"));
	}

	static FailureAnalysis analyze(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		FailureAnalysis analysis = new TokenRefreshFailureAnalyzer().analyze(context.getStartupFailure());
		assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
		return analysis;
	}

	private static TokenRefreshExchangeFilterFunction filter(AssertableApplicationContext context) {
		return context.getBean(TokenRefreshExchangeFilterFunction.class);
	}

	static int tokenFilterCount(WebClient webClient) {
		List<ExchangeFilterFunction> tokenFilters = new ArrayList<>();
		webClient.mutate()
			.filters((filters) -> filters.stream()
				.filter((filter) -> filter instanceof DeferredTokenRefreshFilter
						|| filter instanceof TokenRefreshExchangeFilterFunction)
				.forEach(tokenFilters::add));
		return tokenFilters.size();
	}

	@Configuration(proxyBeanMethods = false)
	static class TokenSourceWithWebClient {

		@Bean
		WebClient authWebClient() {
			return WebClient.create("http://localhost:9000");
		}

		@Bean
		TokenSource billingTokenSource(WebClient authWebClient) {
			// A real source would call its endpoint through authWebClient; creating it must not cycle back.
			assertThat(authWebClient).isNotNull();
			return new CountingTokenSource("mine");
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserWebClients {

		@Bean
		WebClient created() {
			return WebClient.create("http://localhost:8081");
		}

		@Bean
		WebClient fromBootBuilder(WebClient.Builder builder) {
			return builder.baseUrl("http://localhost:8081").build();
		}

	}

}
