package io.github.tokenrefresh.reliability;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.github.tokenrefresh.autoconfigure.RedisTokenStoreAutoConfiguration;
import io.github.tokenrefresh.autoconfigure.TokenRefreshAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Invalid application.yml combinations that TokenRefreshValidationTests and the Redis store's own tests do not
 * already cover: each fails the start with a message naming the property, and never echoes a secret.
 */
class ConfigurationMatrixTests {

	private static final String C = "token-refresh.clients.billing.";

	private static final String R = "token-refresh.store.redis.";

	private static final String LOGIN = C + "login.uri=http://localhost:9000/login";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(WebClientAutoConfiguration.class, DataRedisAutoConfiguration.class,
				DataRedisReactiveAutoConfiguration.class, RedisTokenStoreAutoConfiguration.class,
				TokenRefreshAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.port=1");

	static Stream<Arguments> invalidConfigurations() {
		return Stream.of(
				invalid("zero redis command-timeout", R + "command-timeout", "token-refresh.store.type=redis",
						R + "command-timeout=0s"),
				invalid("negative redis lease-ttl", R + "lease-ttl", "token-refresh.store.type=redis",
						R + "lease-ttl=-1s"),
				invalid("zero redis default-ttl", R + "default-ttl", "token-refresh.store.type=redis",
						R + "default-ttl=0s"),
				invalid("negative redis refresh-token-ttl", R + "refresh-token-ttl", "token-refresh.store.type=redis",
						R + "refresh-token-ttl=-8h"),
				invalid("redis command-timeout not a duration", R + "command-timeout",
						"token-refresh.store.type=redis", R + "command-timeout=soon"),
				invalid("login access-token-path with an empty segment", C + "login.access-token-path", LOGIN,
						C + "login.access-token-path=data..token"),
				invalid("empty login access-token-path", C + "login.access-token-path", LOGIN,
						C + "login.access-token-path="),
				invalid("login refresh-token-path ending in a dot", C + "login.refresh-token-path", LOGIN,
						C + "login.refresh-token-path=data."),
				invalid("login expires-in-path starting with a dot", C + "login.expires-in-path", LOGIN,
						C + "login.expires-in-path=.expires"),
				invalid("empty login refresh-token-field", C + "login.refresh-token-field", LOGIN,
						C + "login.refresh-token-field="),
				invalid("unknown login format", C + "login.format", LOGIN, C + "login.format=xml"),
				invalid("timeout not a duration", C + "timeout", LOGIN, C + "timeout=ten"),
				invalid("retry-on-unauthorized not a number", C + "retry-on-unauthorized", LOGIN,
						C + "retry-on-unauthorized=twice"));
	}

	private static Arguments invalid(String name, String property, String... properties) {
		return Arguments.argumentSet(name, List.of(properties), property);
	}

	@ParameterizedTest
	@MethodSource("invalidConfigurations")
	void invalidConfigurationFailsTheStartNamingTheProperty(List<String> properties, String property) {
		this.contextRunner.withPropertyValues(properties.toArray(String[]::new)).run((context) -> {
			assertThat(context).hasFailed();
			assertThat(messages(context.getStartupFailure())).contains(property);
		});
	}

	private static String messages(Throwable failure) {
		StringBuilder messages = new StringBuilder();
		for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
			messages.append(cause.getMessage()).append('\n');
		}
		return messages.toString();
	}

}
