package io.github.tokenrefresh.autoconfigure;

import java.util.concurrent.atomic.AtomicBoolean;

import io.github.tokenrefresh.web.TokenRefreshClientHttpRequestInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Adds the token interceptor to {@link RestClient} and {@link RestTemplate} beans that the application built
 * without Spring Boot's builders (such as {@code RestClient.create()} or {@code new RestTemplate()}); clients that
 * already carry it are left as they are.
 */
final class TokenRefreshRestClientBeanPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors;

	TokenRefreshRestClientBeanPostProcessor(ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
		this.interceptors = interceptors;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (bean instanceof RestTemplate restTemplate) {
			return DeferredTokenRefreshInterceptor.addIfAbsent(restTemplate,
					new DeferredTokenRefreshInterceptor(this.interceptors));
		}
		if (bean instanceof RestClient restClient && !hasTokenInterceptor(restClient)) {
			return restClient.mutate()
				.requestInterceptor(new DeferredTokenRefreshInterceptor(this.interceptors))
				.build();
		}
		return bean;
	}

	private static boolean hasTokenInterceptor(RestClient restClient) {
		AtomicBoolean present = new AtomicBoolean();
		restClient.mutate()
			.requestInterceptors((interceptors) -> present.set(DeferredTokenRefreshInterceptor.isPresent(interceptors)));
		return present.get();
	}

}
