package io.github.tokenrefresh.autoconfigure;

import org.springframework.boot.restclient.RestTemplateCustomizer;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.util.Assert;
import org.springframework.web.client.RestTemplate;

/**
 * Adds the token interceptor to every {@link RestTemplate} built from Spring Boot's {@code RestTemplateBuilder},
 * unless the template already carries one.
 */
final class TokenRefreshRestTemplateCustomizer implements RestTemplateCustomizer {

	private final ClientHttpRequestInterceptor interceptor;

	/**
	 * Create a customizer that adds the given interceptor.
	 * @param interceptor the token interceptor
	 */
	TokenRefreshRestTemplateCustomizer(ClientHttpRequestInterceptor interceptor) {
		Assert.notNull(interceptor, "'interceptor' must not be null");
		this.interceptor = interceptor;
	}

	@Override
	public void customize(RestTemplate restTemplate) {
		DeferredTokenRefreshInterceptor.addIfAbsent(restTemplate, this.interceptor);
	}

}
