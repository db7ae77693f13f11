package io.github.tokenrefresh.autoconfigure;

import java.util.Set;

import io.github.tokenrefresh.web.TokenRefresh;
import org.springframework.core.Ordered;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer;

/**
 * Gives the RestClient of each HTTP service group that is named like a client that client's token, whatever the
 * group's base URL, as {@link TokenRefreshHttpServiceGroupConfigurer} does for WebClient groups.
 */
final class TokenRefreshRestClientHttpServiceGroupConfigurer implements RestClientHttpServiceGroupConfigurer {

	private final Set<String> clientNames;

	private final ClientHttpRequestInterceptor interceptor;

	TokenRefreshRestClientHttpServiceGroupConfigurer(Set<String> clientNames,
			ClientHttpRequestInterceptor interceptor) {
		this.clientNames = Set.copyOf(clientNames);
		this.interceptor = interceptor;
	}

	@Override
	public void configureGroups(HttpServiceGroupConfigurer.Groups<RestClient.Builder> groups) {
		groups.filter((group) -> this.clientNames.contains(group.name())).forEachClient(this::configureClient);
	}

	private void configureClient(HttpServiceGroup group, RestClient.Builder builder) {
		DeferredTokenRefreshInterceptor.addIfAbsent(builder, this.interceptor);
		// A client named on the request itself wins over the group's.
		builder.defaultRequest((request) -> request
			.attributes((attributes) -> attributes.putIfAbsent(TokenRefresh.CLIENT_ATTRIBUTE, group.name())));
	}

	@Override
	public int getOrder() {
		// After Boot's configurers (properties first, then customizers at 0), so the group's builder is complete.
		return Ordered.LOWEST_PRECEDENCE;
	}

}
