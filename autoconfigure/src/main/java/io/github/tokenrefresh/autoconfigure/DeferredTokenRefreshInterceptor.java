package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.util.List;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.web.TokenRefreshClientHttpRequestInterceptor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * Stands in for the {@link TokenRefreshClientHttpRequestInterceptor} bean on RestClients and RestTemplates and
 * resolves it on the first request, for the reason {@link DeferredTokenRefreshFilter} gives: looking it up while a
 * client is being built would create the token managers and their token endpoints mid-build.
 */
final class DeferredTokenRefreshInterceptor implements ClientHttpRequestInterceptor {

	private final ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors;

	private volatile @Nullable ClientHttpRequestInterceptor interceptor;

	DeferredTokenRefreshInterceptor(ObjectProvider<TokenRefreshClientHttpRequestInterceptor> interceptors) {
		this.interceptors = interceptors;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		ClientHttpRequestInterceptor resolved = resolve();
		return (resolved != null) ? resolved.intercept(request, body, execution) : execution.execute(request, body);
	}

	private @Nullable ClientHttpRequestInterceptor resolve() {
		ClientHttpRequestInterceptor resolved = this.interceptor;
		if (resolved == null) {
			resolved = this.interceptors.getIfAvailable();
			this.interceptor = resolved;
		}
		return resolved;
	}

	/**
	 * Return whether a list of interceptors already holds a token interceptor, deferred or not.
	 * @param interceptors the interceptors
	 * @return whether the token interceptor is among them
	 */
	static boolean isPresent(List<ClientHttpRequestInterceptor> interceptors) {
		for (ClientHttpRequestInterceptor interceptor : interceptors) {
			if (interceptor instanceof DeferredTokenRefreshInterceptor
					|| interceptor instanceof TokenRefreshClientHttpRequestInterceptor) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Add the interceptor to the builder unless it already carries a token interceptor, so no client gets it twice.
	 * @param builder the builder
	 * @param interceptor the interceptor to add
	 * @return the builder
	 */
	static RestClient.Builder addIfAbsent(RestClient.Builder builder, ClientHttpRequestInterceptor interceptor) {
		return builder.requestInterceptors((interceptors) -> {
			if (!isPresent(interceptors)) {
				interceptors.add(interceptor);
			}
		});
	}

	/**
	 * Add the interceptor to the template unless it already carries a token interceptor.
	 * @param restTemplate the template
	 * @param interceptor the interceptor to add
	 * @return the template
	 */
	static RestTemplate addIfAbsent(RestTemplate restTemplate, ClientHttpRequestInterceptor interceptor) {
		List<ClientHttpRequestInterceptor> interceptors = restTemplate.getInterceptors();
		if (!isPresent(interceptors)) {
			interceptors.add(interceptor);
		}
		return restTemplate;
	}

	@Override
	public String toString() {
		return "DeferredTokenRefreshInterceptor[" + this.interceptor + "]";
	}

}
