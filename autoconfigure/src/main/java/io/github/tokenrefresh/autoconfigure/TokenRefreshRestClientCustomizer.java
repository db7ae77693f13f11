package io.github.tokenrefresh.autoconfigure;

import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.util.Assert;
import org.springframework.web.client.RestClient;

/**
 * Adds the token interceptor to every {@link RestClient} built from Spring Boot's {@code RestClient.Builder},
 * unless the builder already carries one.
 */
final class TokenRefreshRestClientCustomizer implements RestClientCustomizer {

	private final ClientHttpRequestInterceptor interceptor;

	/**
	 * Create a customizer that adds the given interceptor.
	 * @param interceptor the token interceptor
	 */
	TokenRefreshRestClientCustomizer(ClientHttpRequestInterceptor interceptor) {
		Assert.notNull(interceptor, "'interceptor' must not be null");
		this.interceptor = interceptor;
	}

	@Override
	public void customize(RestClient.Builder restClientBuilder) {
		DeferredTokenRefreshInterceptor.addIfAbsent(restClientBuilder, this.interceptor);
	}

}
