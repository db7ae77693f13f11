package io.github.tokenrefresh.benchmarks;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.github.tokenrefresh.oauth2.OAuth2TokenSource;
import io.github.tokenrefresh.redis.RedisTokenStore;
import io.github.tokenrefresh.web.TokenClient;
import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.http.HttpHeaders;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.security.oauth2.client.AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryReactiveOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProvider;
import org.springframework.security.oauth2.client.ReactiveOAuth2AuthorizedClientProviderBuilder;
import org.springframework.security.oauth2.client.RemoveAuthorizedClientReactiveOAuth2AuthorizationFailureHandler;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.InMemoryReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.reactive.function.client.ServerOAuth2AuthorizedClientExchangeFilterFunction;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * One variant's WebClient against the benchmark servers, with its own connection pools of an explicit size so
 * that the pool, not the token logic, never decides how many requests run at once.
 */
final class VariantClient implements AutoCloseable {

	static final String REGISTRATION_ID = "bench";

	/** The variants this build can run. */
	static List<Variant> availableVariants() {
		return List.of(Variant.values());
	}

	private final Variant variant;

	private final BenchmarkServers servers;

	private final ConnectionProvider resourcePool;

	private final ConnectionProvider tokenPool;

	private final WebClient tokenWebClient;

	private final ClientRegistration registration;

	private final ReactorClientHttpConnector connector;

	private final String fixedToken;

	private final @Nullable ExchangeFilterFunction filter;

	private final @Nullable TokenManager manager;

	private final @Nullable EmbeddedRedis redis;

	private final List<AutoCloseable> resources = new ArrayList<>();

	private final WebClient webClient;

	private final WebClient warmClient;

	VariantClient(Variant variant, BenchmarkServers servers, Settings settings) throws IOException {
		this.variant = variant;
		this.servers = servers;
		this.resourcePool = pool("resource-" + variant.id(), settings.maxConnections());
		this.tokenPool = pool("token-" + variant.id(), settings.maxConnections());
		this.tokenWebClient = tokenWebClientBuilder().build();
		this.registration = ClientRegistration.withRegistrationId(REGISTRATION_ID)
			.clientId(BenchmarkServers.CLIENT_ID)
			.clientSecret(BenchmarkServers.CLIENT_SECRET)
			.authorizationGrantType(AuthorizationGrantType.CLIENT_CREDENTIALS)
			.tokenUri(servers.tokenUri())
			.build();
		this.connector = new ReactorClientHttpConnector(HttpClient.create(this.resourcePool));
		this.fixedToken = servers.fixedToken();
		this.redis = (variant == Variant.REDIS) ? new EmbeddedRedis() : null;
		this.manager = switch (variant) {
			case IN_MEMORY -> manager(new InMemoryTokenStore(), settings);
			case REDIS -> manager(redisStore(this.redis), settings);
			default -> null;
		};
		this.filter = switch (variant) {
			case FIXED_HEADER -> null;
			case IN_MEMORY, REDIS -> new TokenRefreshExchangeFilterFunction(
					List.of(TokenClient.builder(this.manager).baseUrl(servers.resourceBaseUrl()).build()));
			case SPRING_SECURITY -> springSecurity(settings);
		};
		WebClient.Builder builder = WebClient.builder().clientConnector(this.connector);
		this.webClient = (this.filter != null) ? builder.filter(this.filter).build()
				: builder.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + this.fixedToken).build();
		this.warmClient = WebClient.builder()
			.clientConnector(this.connector)
			.defaultHeader(HttpHeaders.AUTHORIZATION, "Bearer " + this.fixedToken)
			.build();
	}

	private static ConnectionProvider pool(String name, int maxConnections) {
		return ConnectionProvider.builder(name)
			.maxConnections(maxConnections)
			.pendingAcquireMaxCount(-1)
			.pendingAcquireTimeout(Duration.ofSeconds(60))
			.build();
	}

	private TokenManager manager(TokenStore store, Settings settings) {
		return TokenManager.builder(REGISTRATION_ID, tokenSource())
			.store(store)
			.refreshBeforeExpiry(settings.refreshBeforeExpiry())
			.refreshAhead(settings.refreshAhead())
			.build();
	}

	private TokenStore redisStore(EmbeddedRedis redis) {
		RedisTokenStore store = RedisTokenStore.builder(redis.connectionFactory()).build();
		// Destroyed before the server it talks to stops.
		this.resources.add(store::destroy);
		this.resources.add(redis);
		return store;
	}

	private WebClient.Builder tokenWebClientBuilder() {
		return WebClient.builder().clientConnector(new ReactorClientHttpConnector(HttpClient.create(this.tokenPool)));
	}

	private TokenSource tokenSource() {
		TokenEndpoints endpoints = TokenEndpoints.builder().webClientBuilder(tokenWebClientBuilder()).build();
		return OAuth2TokenSource.builder(REGISTRATION_ID, endpoints).registration(this.registration).build();
	}

	private ExchangeFilterFunction springSecurity(Settings settings) {
		InMemoryReactiveClientRegistrationRepository registrations = new InMemoryReactiveClientRegistrationRepository(
				this.registration);
		InMemoryReactiveOAuth2AuthorizedClientService service = new InMemoryReactiveOAuth2AuthorizedClientService(
				registrations);
		WebClientReactiveClientCredentialsTokenResponseClient tokenClient = new WebClientReactiveClientCredentialsTokenResponseClient();
		tokenClient.setWebClient(this.tokenWebClient);
		ReactiveOAuth2AuthorizedClientProvider provider = ReactiveOAuth2AuthorizedClientProviderBuilder.builder()
			.clientCredentials((credentials) -> credentials.accessTokenResponseClient(tokenClient)
				.clockSkew(settings.clockSkew()))
			.build();
		AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager manager = new AuthorizedClientServiceReactiveOAuth2AuthorizedClientManager(
				registrations, service);
		manager.setAuthorizedClientProvider(provider);
		ServerOAuth2AuthorizedClientExchangeFilterFunction filter = new ServerOAuth2AuthorizedClientExchangeFilterFunction(
				manager);
		filter.setDefaultClientRegistrationId(REGISTRATION_ID);
		// As Spring Security's reference documentation recommends: a 401 removes the authorized client so that
		// the next request obtains a new token.
		filter.setAuthorizationFailureHandler(new RemoveAuthorizedClientReactiveOAuth2AuthorizationFailureHandler(
				(registrationId, principal, attributes) -> service.removeAuthorizedClient(registrationId,
						principal.getName())));
		return filter;
	}

	Variant variant() {
		return this.variant;
	}

	/** The filter under test, or {@code null} for the fixed header. */
	@Nullable ExchangeFilterFunction filter() {
		return this.filter;
	}

	String fixedToken() {
		return this.fixedToken;
	}

	/** One GET to the resource server through this variant; the status code. */
	Mono<Integer> get() {
		return get(this.webClient);
	}

	/**
	 * One GET with the fixed token over the same connection pool: opens pooled connections ahead of a burst
	 * without touching the variant's token.
	 */
	Mono<Integer> warm() {
		return get(this.warmClient);
	}

	private Mono<Integer> get(WebClient client) {
		return client.get()
			.uri(this.servers.resourceUri())
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().value()));
	}

	/** Redis {@code INFO commandstats} as command name to calls; empty for variants without Redis. */
	Map<String, Long> redisCommandStats() {
		return (this.redis != null) ? this.redis.commandStats() : Map.of();
	}

	@Override
	public void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
		this.resourcePool.disposeLater().block(Duration.ofSeconds(10));
		this.tokenPool.disposeLater().block(Duration.ofSeconds(10));
	}

	/**
	 * How a variant is configured for a scenario.
	 * @param maxConnections size of each connection pool
	 * @param refreshBeforeExpiry this starter's refresh-before-expiry window
	 * @param refreshAhead this starter's refresh-ahead window, zero for off
	 * @param clockSkew Spring Security's clock skew for client_credentials
	 */
	record Settings(int maxConnections, Duration refreshBeforeExpiry, Duration refreshAhead, Duration clockSkew) {

		/** Defaults of both libraries, for steady-state runs with long-lived tokens. */
		static Settings defaults(int maxConnections) {
			return new Settings(maxConnections, Duration.ofSeconds(60), Duration.ZERO, Duration.ofSeconds(60));
		}

		Settings withRefreshAhead(Duration refreshAhead) {
			return new Settings(this.maxConnections, this.refreshBeforeExpiry, refreshAhead, this.clockSkew);
		}

		Settings withRefreshBeforeExpiry(Duration refreshBeforeExpiry, Duration clockSkew) {
			return new Settings(this.maxConnections, refreshBeforeExpiry, this.refreshAhead, clockSkew);
		}

	}

}
