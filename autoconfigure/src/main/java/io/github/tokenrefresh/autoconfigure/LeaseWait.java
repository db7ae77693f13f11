package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.Map;

import io.github.tokenrefresh.endpoint.TokenEndpoints;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;

/**
 * The Redis store's lease wait, derived from or checked against the slowest token endpoint call of any client: a
 * waiter that gave up while the lease holder is still inside the token endpoint's retries would fail requests
 * the holder is about to serve.
 */
final class LeaseWait {

	private static final String PROPERTY = "token-refresh.store.redis.lease-wait";

	private static final Duration FALLBACK = Duration.ofMinutes(1);

	private LeaseWait() {
	}

	static Duration of(@Nullable Duration configured, Duration leaseTtl, @Nullable TokenEndpoints endpoints,
			@Nullable TokenRefreshProperties properties) {
		if (endpoints == null) {
			return (configured != null) ? RedisTokenStoreAutoConfiguration.positive(configured, "lease-wait")
					: FALLBACK;
		}
		String slowestClient = null;
		TokenEndpoints slowest = endpoints;
		if (properties != null) {
			for (Map.Entry<String, TokenRefreshProperties.Client> entry : properties.getClients().entrySet()) {
				Duration timeout = entry.getValue().getTimeout();
				TokenEndpoints client = (timeout != null) ? endpoints.withTimeout(timeout) : endpoints;
				if (client.budget().compareTo(slowest.budget()) > 0 || slowestClient == null) {
					slowest = client;
					slowestClient = entry.getKey();
				}
			}
		}
		Duration budget = slowest.budget();
		if (configured == null) {
			return budget.plus(leaseTtl);
		}
		RedisTokenStoreAutoConfiguration.positive(configured, "lease-wait");
		if (configured.compareTo(budget) < 0) {
			String timeout = (slowestClient != null && properties.getClients().get(slowestClient).getTimeout() != null)
					? "token-refresh.clients." + slowestClient + ".timeout" : "the token endpoints' timeout";
			throw new InvalidConfigurationPropertyValueException(PROPERTY, configured, "must be at least the slowest "
					+ "token endpoint call" + ((slowestClient != null) ? " (client '" + slowestClient + "')" : "")
					+ ": " + timeout + " " + slowest.timeout() + " × " + slowest.attemptCount()
					+ " attempts plus backoff = " + budget + "; a waiting instance would give up while the lease "
					+ "holder is still refreshing. Raise " + PROPERTY + " or leave it unset to derive it");
		}
		return configured;
	}

}
