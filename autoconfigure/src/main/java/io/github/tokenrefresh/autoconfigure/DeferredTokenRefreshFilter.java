package io.github.tokenrefresh.autoconfigure;

import java.util.List;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Stands in for the {@link TokenRefreshExchangeFilterFunction} bean on WebClients and resolves it on the first
 * request. Looking the filter up when a WebClient is built would create the token managers, their sources and
 * the token endpoints' own WebClient while that WebClient is being built: a dependency cycle.
 */
final class DeferredTokenRefreshFilter implements ExchangeFilterFunction {

	private final ObjectProvider<TokenRefreshExchangeFilterFunction> filters;

	private volatile @Nullable ExchangeFilterFunction filter;

	DeferredTokenRefreshFilter(ObjectProvider<TokenRefreshExchangeFilterFunction> filters) {
		this.filters = filters;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		ExchangeFilterFunction resolved = resolve();
		return (resolved != null) ? resolved.filter(request, next) : next.exchange(request);
	}

	private @Nullable ExchangeFilterFunction resolve() {
		ExchangeFilterFunction resolved = this.filter;
		if (resolved == null) {
			resolved = this.filters.getIfAvailable();
			this.filter = resolved;
		}
		return resolved;
	}

	/**
	 * Return whether a filter chain already holds a token filter, deferred or not.
	 * @param filters the chain
	 * @return whether the token filter is in it
	 */
	static boolean isPresent(List<ExchangeFilterFunction> filters) {
		for (ExchangeFilterFunction filter : filters) {
			if (isTokenFilter(filter)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Add the filter to the builder unless it already carries a token filter, so no client gets it twice.
	 * @param builder the builder
	 * @param filter the filter to add
	 * @return the builder
	 */
	static WebClient.Builder addIfAbsent(WebClient.Builder builder, ExchangeFilterFunction filter) {
		return builder.filters((filters) -> {
			if (!isPresent(filters)) {
				filters.add(filter);
			}
		});
	}

	/**
	 * Remove token filters: token-endpoint calls must never carry a token or trigger a token refresh themselves.
	 * @param builder the builder
	 * @return the builder
	 */
	static WebClient.Builder removeFrom(WebClient.Builder builder) {
		return builder.filters((filters) -> filters.removeIf(DeferredTokenRefreshFilter::isTokenFilter));
	}

	private static boolean isTokenFilter(ExchangeFilterFunction filter) {
		return filter instanceof DeferredTokenRefreshFilter || filter instanceof TokenRefreshExchangeFilterFunction;
	}

	@Override
	public String toString() {
		return "DeferredTokenRefreshFilter[" + this.filter + "]";
	}

}
