package io.github.tokenrefresh.autoconfigure;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Adds the token filter to {@link WebClient} beans that the application built without Spring Boot's
 * {@code WebClient.Builder} (such as {@code WebClient.create()}); WebClients that already carry it are left as
 * they are.
 */
final class TokenRefreshWebClientBeanPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<TokenRefreshExchangeFilterFunction> filters;

	TokenRefreshWebClientBeanPostProcessor(ObjectProvider<TokenRefreshExchangeFilterFunction> filters) {
		this.filters = filters;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof WebClient webClient) || hasTokenFilter(webClient)) {
			return bean;
		}
		return webClient.mutate().filter(new DeferredTokenRefreshFilter(this.filters)).build();
	}

	private static boolean hasTokenFilter(WebClient webClient) {
		AtomicBoolean present = new AtomicBoolean();
		webClient.mutate().filters((filters) -> present.set(DeferredTokenRefreshFilter.isPresent(filters)));
		return present.get();
	}

}
