package io.github.tokenrefresh.autoconfigure;

import java.util.List;

import io.github.tokenrefresh.actuate.TokenRefreshHealthIndicator;
import io.github.tokenrefresh.actuate.TokensEndpoint;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the {@code tokens} actuator endpoint and the {@code tokenRefresh} health contributor,
 * each only when its part of Spring Boot is on the classpath. The endpoint is exposed like any other
 * ({@code management.endpoints.web.exposure.include=tokens}).
 */
@AutoConfiguration(after = TokenRefreshAutoConfiguration.class)
@ConditionalOnBooleanProperty(name = "token-refresh.enabled", matchIfMissing = true)
public final class TokenRefreshActuatorAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(Endpoint.class)
	@ConditionalOnAvailableEndpoint(TokensEndpoint.class)
	static class TokensEndpointConfiguration {

		@Bean
		@ConditionalOnMissingBean
		TokensEndpoint tokensEndpoint(ObjectProvider<TokenManager> managers, TokenRefreshProperties properties,
				ClientTokenManagers clientTokenManagers) {
			return new TokensEndpoint(managers(managers), storeType(properties), clientTokenManagers.clock());
		}

		private static String storeType(TokenRefreshProperties properties) {
			return properties.getStore().getType().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(ReactiveHealthIndicator.class)
	@ConditionalOnEnabledHealthIndicator("tokenRefresh")
	static class TokenRefreshHealthConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "tokenRefreshHealthContributor")
		CompositeReactiveHealthContributor tokenRefreshHealthContributor(ObjectProvider<TokenManager> managers,
				ClientTokenManagers clientTokenManagers) {
			return TokenRefreshHealthIndicator.forClients(managers(managers), clientTokenManagers.clock());
		}

	}

	private static List<TokenManager> managers(ObjectProvider<TokenManager> managers) {
		return managers.orderedStream().toList();
	}

}
