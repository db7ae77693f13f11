package io.github.tokenrefresh.autoconfigure;

import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Adds the token filter to every {@link WebClient} built from Spring Boot's {@code WebClient.Builder}, unless
 * the builder already carries one.
 */
final class TokenRefreshWebClientCustomizer implements WebClientCustomizer {

	private final ExchangeFilterFunction filter;

	/**
	 * Create a customizer that adds the given filter.
	 * @param filter the token filter
	 */
	TokenRefreshWebClientCustomizer(ExchangeFilterFunction filter) {
		Assert.notNull(filter, "'filter' must not be null");
		this.filter = filter;
	}

	@Override
	public void customize(WebClient.Builder webClientBuilder) {
		DeferredTokenRefreshFilter.addIfAbsent(webClientBuilder, this.filter);
	}

}
