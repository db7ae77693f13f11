package io.github.tokenrefresh.autoconfigure;

import io.micrometer.core.instrument.MeterRegistry;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.metrics.TokenRefreshMetrics;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of token-refresh's Micrometer meters, when the application has a {@link MeterRegistry}. The
 * acquisition timer comes from the {@value TokenManager#OBSERVATION_NAME} observation, which Spring Boot's
 * observation support turns into a timer.
 */
@AutoConfiguration(after = TokenRefreshAutoConfiguration.class, afterName = {
		"org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
		"org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(name = "token-refresh.enabled", matchIfMissing = true)
public final class TokenRefreshMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TokenRefreshMetrics tokenRefreshMetrics(MeterRegistry registry, ClientTokenManagers managers) {
		return new TokenRefreshMetrics(registry, managers.clock());
	}

	@Bean
	static SmartInitializingSingleton tokenRefreshExpiryGauges(ObjectProvider<TokenRefreshMetrics> metrics,
			ObjectProvider<TokenManager> managers) {
		// Gauges need the managers, and the managers need the metrics as a listener: register them once both exist.
		return () -> metrics.ifAvailable((meters) -> managers.orderedStream().forEach(meters::monitor));
	}

}
