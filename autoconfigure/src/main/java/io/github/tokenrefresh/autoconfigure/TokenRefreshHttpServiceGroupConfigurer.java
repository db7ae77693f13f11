package io.github.tokenrefresh.autoconfigure;

import java.util.Set;

import io.github.tokenrefresh.web.TokenRefresh;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.support.WebClientHttpServiceGroupConfigurer;
import org.springframework.web.service.registry.HttpServiceGroup;
import org.springframework.web.service.registry.HttpServiceGroupConfigurer;

/**
 * Gives the WebClient of each HTTP service group that is named like a client that client's token, whatever the
 * group's base URL: the group name is the link, as with {@code spring.http.serviceclient.<name>.*}.
 */
final class TokenRefreshHttpServiceGroupConfigurer implements WebClientHttpServiceGroupConfigurer {

	private final Set<String> clientNames;

	private final ExchangeFilterFunction filter;

	TokenRefreshHttpServiceGroupConfigurer(Set<String> clientNames, ExchangeFilterFunction filter) {
		this.clientNames = Set.copyOf(clientNames);
		this.filter = filter;
	}

	@Override
	public void configureGroups(HttpServiceGroupConfigurer.Groups<WebClient.Builder> groups) {
		groups.filter((group) -> this.clientNames.contains(group.name())).forEachClient(this::configureClient);
	}

	private void configureClient(HttpServiceGroup group, WebClient.Builder builder) {
		DeferredTokenRefreshFilter.addIfAbsent(builder, this.filter);
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
