package io.github.tokenrefresh.autoconfigure;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.web.TokenRefreshClientHttpRequestInterceptor;
import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.aot.AotDetector;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The factory of every per-client bean that {@link TokenRefreshBeanRegistrar} defines: each definition names a
 * method here and passes the client's name, so that ahead-of-time processing can generate code for it and every
 * value the bean needs is read from the properties bound at run time.
 * <p>
 * With generated code ({@code spring.aot.enabled}) the registrar does not run at startup: the properties are
 * validated here instead, when the first client bean is created, with the same messages.
 */
final class ClientBeans {

	/**
	 * Name of this factory's bean, which every per-client bean definition refers to.
	 */
	static final String BEAN_NAME = "tokenRefreshClientBeans";

	/**
	 * Suffix of the name of each client's RestClient bean, {@code <client>RestClient}.
	 */
	static final String REST_CLIENT_SUFFIX = "RestClient";

	private final TokenRefreshProperties properties;

	private final ClientTokenManagers tokenManagers;

	private final ListableBeanFactory beanFactory;

	ClientBeans(TokenRefreshProperties properties, ClientTokenManagers tokenManagers,
			ListableBeanFactory beanFactory) {
		this.properties = properties;
		this.tokenManagers = tokenManagers;
		this.beanFactory = beanFactory;
		if (AotDetector.useGeneratedArtifacts()) {
			validateAheadOfTimeStart();
		}
	}

	private void validateAheadOfTimeStart() {
		TokenRefreshPropertiesValidator.validate(this.properties);
		for (String name : this.properties.getClients().keySet()) {
			if (!this.beanFactory.containsBean(name + ClientTokenManagers.TOKEN_MANAGER_SUFFIX)) {
				String property = TokenRefreshPropertiesValidator.PREFIX + name;
				throw new InvalidTokenRefreshConfigurationException(property, property
						+ " is not a client of this build: with Spring AOT, client names are fixed when the "
						+ "application is built",
						"Add the client to the configuration the application is built with and build it again, or "
								+ "remove " + property + ".");
			}
		}
	}

	TokenManager tokenManager(String clientName) {
		return this.tokenManagers.create(clientName);
	}

	WebClient webClient(String clientName) {
		String baseUrl = baseUrl(clientName, "WebClient");
		WebClient.Builder builder = this.beanFactory.getBeanProvider(WebClient.Builder.class)
			.getIfAvailable(WebClient::builder);
		DeferredTokenRefreshFilter filter = new DeferredTokenRefreshFilter(
				this.beanFactory.getBeanProvider(TokenRefreshExchangeFilterFunction.class));
		return DeferredTokenRefreshFilter.addIfAbsent(builder, filter).baseUrl(baseUrl).build();
	}

	RestClient restClient(String clientName) {
		String baseUrl = baseUrl(clientName, "RestClient");
		RestClient.Builder builder = this.beanFactory.getBeanProvider(RestClient.Builder.class)
			.getIfAvailable(RestClient::builder);
		DeferredTokenRefreshInterceptor interceptor = new DeferredTokenRefreshInterceptor(
				this.beanFactory.getBeanProvider(TokenRefreshClientHttpRequestInterceptor.class));
		return DeferredTokenRefreshInterceptor.addIfAbsent(builder, interceptor).baseUrl(baseUrl).build();
	}

	private String baseUrl(String clientName, String beanType) {
		String baseUrl = client(clientName).getBaseUrl();
		if (baseUrl == null) {
			// Only reachable with generated code: the build had a base-url, the run has none.
			throw InvalidTokenRefreshConfigurationException.of(
					TokenRefreshPropertiesValidator.PREFIX + clientName + ".base-url",
					"is required: the application was built with a " + beanType + " bean for this client");
		}
		return baseUrl;
	}

	private Client client(String clientName) {
		Client client = this.properties.getClients().get(clientName);
		if (client == null) {
			throw new IllegalStateException("No client '" + clientName + "' under token-refresh.clients");
		}
		return client;
	}

}
