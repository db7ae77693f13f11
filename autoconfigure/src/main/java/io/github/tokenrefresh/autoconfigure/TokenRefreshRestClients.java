package io.github.tokenrefresh.autoconfigure;

import io.github.tokenrefresh.web.TokenRefreshClientHttpRequestInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.client.RestClient;

/**
 * Builds the per-client {@link RestClient} beans ({@code <client>RestClient}) for {@link ClientBeans}, which
 * reads the base URL from the properties bound at run time.
 */
final class TokenRefreshRestClients {

	static final String BEAN_NAME_SUFFIX = "RestClient";

	private TokenRefreshRestClients() {
	}

	/**
	 * Create the RestClient of a client: Spring Boot's builder when there is one, the token interceptor once, and
	 * the client's base URL.
	 * @param baseUrl the client's base URL
	 * @param builders Spring Boot's {@code RestClient.Builder}, if the application has one
	 * @param interceptors the token interceptor
	 * @return the RestClient
	 */
	static RestClient restClient(String baseUrl, ObjectProvider<RestClient.Builder> builders,
			ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
		RestClient.Builder builder = builders.getIfAvailable(RestClient::builder);
		return DeferredTokenRefreshInterceptor.addIfAbsent(builder, new DeferredTokenRefreshInterceptor(interceptors))
			.baseUrl(baseUrl)
			.build();
	}

}
