package io.github.tokenrefresh.autoconfigure;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Login;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenRefreshListener;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.github.tokenrefresh.login.LoginTokenSource;
import io.github.tokenrefresh.oauth2.IssuerClientRegistrations;
import io.github.tokenrefresh.oauth2.OAuth2TokenSource;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.http.client.HttpClientSettings;
import org.springframework.boot.http.client.HttpRedirects;
import org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Builds the {@link TokenManager} of each configured client: its token source (a {@link TokenSource} bean named
 * {@code <client>TokenSource} when there is one, else the one its properties describe), the store, the clock
 * and the refresh settings.
 */
final class ClientTokenManagers {

	/**
	 * Name of an optional {@link Clock} bean that decides token expiry, for tests and simulations.
	 */
	static final String CLOCK_BEAN_NAME = "tokenRefreshClock";

	/**
	 * Suffix of the name of a {@link TokenSource} bean that replaces a client's configured source.
	 */
	static final String TOKEN_SOURCE_SUFFIX = "TokenSource";

	/**
	 * Suffix of the name of each client's {@link TokenManager} bean.
	 */
	static final String TOKEN_MANAGER_SUFFIX = "TokenManager";

	private static final Duration MIN_MAX_WAIT = Duration.ofMinutes(1);

	private final TokenRefreshProperties properties;

	private final Map<String, ClientDescription> descriptions;

	private final ListableBeanFactory beanFactory;

	private final Binder binder;

	ClientTokenManagers(TokenRefreshProperties properties, ListableBeanFactory beanFactory, Binder binder) {
		this.properties = properties;
		this.descriptions = TokenRefreshPropertiesValidator.describe(properties);
		this.beanFactory = beanFactory;
		this.binder = binder;
	}

	/**
	 * Return the description of a configured client, as validated at startup.
	 * @param clientName the client's name
	 * @return the description
	 */
	ClientDescription description(String clientName) {
		ClientDescription description = this.descriptions.get(clientName);
		if (description == null) {
			throw new IllegalStateException("No client '" + clientName + "' under token-refresh.clients");
		}
		return description;
	}

	TokenManager create(String clientName) {
		ClientDescription description = description(clientName);
		Client client = description.settings();
		TokenManager.Builder builder = TokenManager.builder(clientName, source(description))
			.store(this.beanFactory.getBean(TokenStore.class))
			.keyPrefix(StoreKeys.prefix(this.properties.getStore(),
					this.binder.bind("spring.application.name", String.class).orElse(null), client))
			.refreshBeforeExpiry(client.getRefreshBeforeExpiry())
			.refreshAhead(client.getRefreshAhead())
			.rejectionCooldown(client.getRejectionCooldown())
			.unauthorizedRefreshInterval(client.getUnauthorizedRefreshInterval())
			.autoRefresh(client.isAutoRefresh())
			.clock(clock())
			.observationRegistry(this.beanFactory.getBeanProvider(ObservationRegistry.class)
				.getIfUnique(() -> ObservationRegistry.NOOP));
		this.beanFactory.getBeanProvider(TokenRefreshListener.class).orderedStream().forEach(builder::listener);
		if (client.getTimeout() != null) {
			builder.maxWait(tokenWait(client));
		}
		return builder.build();
	}

	/**
	 * Return the longest a request waits for a client's token: the manager's budget for a refresh.
	 * @param client the client's properties
	 * @return the wait
	 */
	static Duration tokenWait(Client client) {
		Duration timeout = client.getTimeout();
		if (timeout == null) {
			return MIN_MAX_WAIT;
		}
		// The overall budget must leave room for the endpoint's retries of a slow call.
		Duration budget = timeout.multipliedBy(5);
		return (budget.compareTo(MIN_MAX_WAIT) > 0) ? budget : MIN_MAX_WAIT;
	}

	Clock clock() {
		return this.beanFactory.containsBean(CLOCK_BEAN_NAME) ? this.beanFactory.getBean(CLOCK_BEAN_NAME, Clock.class)
				: Clock.systemUTC();
	}

	private TokenSource source(ClientDescription description) {
		String beanName = description.name() + TOKEN_SOURCE_SUFFIX;
		if (this.beanFactory.containsBean(beanName)) {
			return this.beanFactory.getBean(beanName, TokenSource.class);
		}
		return switch (description.source()) {
			case REGISTRATION -> registrationSource(description);
			case TOKEN_URI -> oauth2Source(description)
				.registration(registration(description, Objects.requireNonNull(description.tokenUri())))
				.build();
			case ISSUER_URI -> issuerSource(description);
			case LOGIN -> loginSource(description);
			case NONE -> throw InvalidTokenRefreshConfigurationException.of(
					TokenRefreshPropertiesValidator.PREFIX + description.name(),
					"has no token source; set one of registration-id, token-uri, issuer-uri or login.uri, or define a "
							+ "TokenSource bean named '" + beanName + "'");
		};
	}

	private TokenSource registrationSource(ClientDescription description) {
		String prefix = description.prefix();
		String registrationId = description.registrationId();
		Assert.state(registrationId != null, "registration-id is required");
		ReactiveClientRegistrationRepository repository = this.beanFactory
			.getBeanProvider(ReactiveClientRegistrationRepository.class)
			.getIfUnique();
		OAuth2TokenSource.Builder builder = oauth2Source(description);
		if (repository == null) {
			EnvironmentClientRegistrations.Resolved resolved = new EnvironmentClientRegistrations(this.binder)
				.resolve(prefix + "registration-id", registrationId);
			TokenRefreshPropertiesValidator.validateCredentials(prefix, description.settings(), resolved.grantType());
			return builder.registration(resolved.registration()).build();
		}
		// Only an iterable repository can be checked without a blocking lookup; others fail on the first request.
		if (repository instanceof Iterable<?> registrations) {
			ClientRegistration registration = find(registrations, registrationId);
			if (registration == null) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + "registration-id",
						"names no registration of the application's ReactiveClientRegistrationRepository; use the ID "
								+ "of a registration under spring.security.oauth2.client.registration");
			}
			GrantType grantType = GrantType.of(registration.getAuthorizationGrantType().getValue());
			if (grantType == null) {
				throw InvalidTokenRefreshConfigurationException.of(prefix + "registration-id",
						"names a registration whose authorization-grant-type token-refresh cannot use; use "
								+ "client_credentials, refresh_token, password or jwt-bearer");
			}
			TokenRefreshPropertiesValidator.validateCredentials(prefix, description.settings(), grantType);
		}
		return builder.registration(registrationId, repository).build();
	}

	private static @Nullable ClientRegistration find(Iterable<?> registrations, String registrationId) {
		for (Object candidate : registrations) {
			if (candidate instanceof ClientRegistration registration
					&& registration.getRegistrationId().equals(registrationId)) {
				return registration;
			}
		}
		return null;
	}

	private OAuth2TokenSource.Builder oauth2Source(ClientDescription description) {
		OAuth2TokenSource.Builder builder = OAuth2TokenSource.builder(description.name(), endpoints(description))
			.clock(clock())
			.parameters(description.parameters())
			.clientAssertionKey(ClientAuthenticationKeys.of(description,
					this.beanFactory.getBeanProvider(SslBundles.class).getIfAvailable()));
		if (StringUtils.hasText(description.refreshToken())) {
			builder.refreshToken(description.refreshToken());
		}
		if (StringUtils.hasText(description.username())) {
			builder.username(description.username());
		}
		if (StringUtils.hasText(description.password())) {
			builder.password(description.password());
		}
		String assertion = description.assertion();
		if (StringUtils.hasText(assertion)) {
			builder.assertion(Mono.just(assertion));
		}
		if (description.assertionFile() != null) {
			builder.assertion(AssertionFiles.read(description, "assertion-file", description.assertionFile()));
		}
		if (description.grantType() == GrantType.TOKEN_EXCHANGE) {
			builder.subjectToken(subjectToken(description))
				.subjectTokenType(description.subjectTokenType())
				.actorToken((description.actorTokenFile() != null)
						? AssertionFiles.read(description, "actor-token-file", description.actorTokenFile()) : null);
		}
		if (description.clientAssertionFile() != null) {
			builder.clientAssertion(
					AssertionFiles.read(description, "client-assertion-file", description.clientAssertionFile()));
		}
		return builder;
	}

	// Discovery waits for the first token call, so that the application starts while the issuer is down.
	private TokenSource issuerSource(ClientDescription description) {
		URI issuer = URI.create(Objects.requireNonNull(description.issuerUri()));
		IssuerClientRegistrations registrations = new IssuerClientRegistrations(description.name(),
				description.name(), issuer, endpoints(description),
				(tokenUri) -> registration(description, tokenUri));
		return oauth2Source(description).registration(description.name(), registrations).build();
	}

	// The subject client's manager is looked up at the first exchange: managers are built in any order.
	private Mono<String> subjectToken(ClientDescription description) {
		String subjectClient = description.subjectClient();
		if (subjectClient == null) {
			return AssertionFiles.read(description, "subject-token-file",
					Objects.requireNonNull(description.subjectTokenFile()));
		}
		return Mono.defer(() -> this.beanFactory.getBean(subjectClient + TOKEN_MANAGER_SUFFIX, TokenManager.class)
			.getToken()
			.map(Token::getAccessToken));
	}

	private static ClientRegistration registration(ClientDescription description, String tokenUri) {
		GrantType grantType = description.grantType();
		Assert.state(grantType != null, "the grant of token-uri or issuer-uri is required");
		return ClientRegistration.withRegistrationId(description.name())
			.clientId(description.clientId())
			.clientSecret(description.clientSecret())
			.clientAuthenticationMethod(description.authentication().getMethod())
			.authorizationGrantType(grantType.getAuthorizationGrantType())
			.scope(description.scopes())
			.tokenUri(tokenUri)
			.build();
	}

	private TokenSource loginSource(ClientDescription description) {
		Login login = description.login();
		LoginTokenSource.Builder builder = LoginTokenSource
			.builder(description.name(), URI.create(login.getUri()), endpoints(description))
			.format(login.getFormat())
			.body(login.getBody())
			.refreshTokenField(login.getRefreshTokenField())
			.accessTokenPath(login.getAccessTokenPath())
			.refreshTokenPath(login.getRefreshTokenPath())
			.expiresInPath(login.getExpiresInPath())
			.clock(clock());
		if (StringUtils.hasText(login.getRefreshUri())) {
			builder.refreshUri(URI.create(login.getRefreshUri()));
		}
		if (StringUtils.hasText(login.getRefreshExpiresInPath())) {
			builder.refreshExpiresInPath(login.getRefreshExpiresInPath());
		}
		return builder.build();
	}

	private TokenEndpoints endpoints(ClientDescription description) {
		TokenEndpoints endpoints = this.beanFactory.getBean(TokenEndpoints.class);
		Duration timeout = description.settings().getTimeout();
		return (timeout != null) ? endpoints.withTimeout(timeout) : endpoints;
	}

	/**
	 * Return the builder of the WebClient that calls token endpoints: Spring Boot's, for its connector, SSL and
	 * observation settings, but without the token filter and, with Boot's own connector, never following a
	 * redirect.
	 * @param beanFactory the bean factory holding Spring Boot's WebClient.Builder, if there is one
	 * @return the builder
	 */
	static WebClient.Builder tokenEndpointsWebClientBuilder(ListableBeanFactory beanFactory) {
		WebClient.Builder builder = DeferredTokenRefreshFilter
			.removeFrom(beanFactory.getBeanProvider(WebClient.Builder.class).getIfAvailable(WebClient::builder));
		if (BOOT_HTTP_CLIENT_PRESENT) {
			NoRedirects.apply(builder, beanFactory);
		}
		return builder;
	}

	private static final boolean BOOT_HTTP_CLIENT_PRESENT = ClassUtils.isPresent(
			"org.springframework.boot.http.client.reactive.ClientHttpConnectorBuilder",
			ClientTokenManagers.class.getClassLoader());

	/**
	 * Spring Boot's connector follows redirects by default, and a followed redirect sends the token request, with
	 * the client secret or the login body, to wherever the redirect points. Token endpoints answer, they do not
	 * redirect: give their WebClient Boot's connector without redirects. A connector bean of the application's own
	 * is left alone, redirect policy included.
	 */
	private static final class NoRedirects {

		private static final String BOOT_CONFIGURATION = "org.springframework.boot.http.client.autoconfigure.reactive."
				+ "ReactiveHttpClientAutoConfiguration";

		static void apply(WebClient.Builder builder, ListableBeanFactory beanFactory) {
			ClientHttpConnectorBuilder<?> connectorBuilder = beanFactory
				.getBeanProvider(ClientHttpConnectorBuilder.class)
				.getIfUnique();
			if (connectorBuilder == null || hasConnectorOfItsOwn(beanFactory)) {
				return;
			}
			HttpClientSettings settings = beanFactory.getBeanProvider(HttpClientSettings.class)
				.getIfUnique(HttpClientSettings::defaults);
			builder.clientConnector(connectorBuilder.build(settings.withRedirects(HttpRedirects.DONT_FOLLOW)));
		}

		private static boolean hasConnectorOfItsOwn(ListableBeanFactory beanFactory) {
			String[] names = beanFactory.getBeanNamesForType(ClientHttpConnector.class, false, false);
			if (names.length == 0) {
				return false;
			}
			if (names.length > 1 || !(beanFactory instanceof ConfigurableListableBeanFactory configurable)
					|| !configurable.containsBeanDefinition(names[0])) {
				return true;
			}
			String factoryBean = configurable.getBeanDefinition(names[0]).getFactoryBeanName();
			return factoryBean == null || !factoryBean.startsWith(BOOT_CONFIGURATION);
		}

	}

}
