package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.github.tokenrefresh.redis.RedisTokenStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration of the Redis {@link TokenStore}, chosen with {@code token-refresh.store.type=redis} and
 * built on Spring Boot's reactive Redis connection factory.
 */
// By name: with Spring Data Redis but without Boot's Redis module this class must still load.
@AutoConfiguration(
		afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
				"org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration" },
		beforeName = "io.github.tokenrefresh.autoconfigure.TokenRefreshAutoConfiguration")
@ConditionalOnClass({ ReactiveRedisConnectionFactory.class, ReactiveStringRedisTemplate.class, Flux.class })
@ConditionalOnProperty(name = "token-refresh.store.type", havingValue = "redis")
@EnableConfigurationProperties(RedisTokenStoreProperties.class)
public final class RedisTokenStoreAutoConfiguration {

	private static final String PREFIX = "token-refresh.store.redis.";

	private static final String ENCRYPTION_KEY_PROPERTY = PREFIX + "encryption-key";

	private static final String ENCRYPTION_KEYS_PROPERTY = PREFIX + "encryption-keys";

	@Bean
	@ConditionalOnMissingBean(TokenStore.class)
	@ConditionalOnBean(ReactiveRedisConnectionFactory.class)
	RedisTokenStore redisTokenStore(ReactiveRedisConnectionFactory connectionFactory,
			RedisTokenStoreProperties properties, ObjectProvider<TokenEndpoints> endpoints,
			ObjectProvider<TokenRefreshProperties> tokenRefreshProperties) {
		Duration commandTimeout = positive(properties.getCommandTimeout(), "command-timeout");
		Duration leaseTtl = positive(properties.getLeaseTtl(), "lease-ttl");
		if (leaseTtl.compareTo(commandTimeout.multipliedBy(3)) < 0) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + "lease-ttl", leaseTtl,
					"must be at least three times " + PREFIX + "command-timeout (" + commandTimeout
							+ "): the lease is renewed every third of its lifetime, each renewal within the command "
							+ "timeout");
		}
		return RedisTokenStore.builder(connectionFactory)
			.encryptionKeys(encryptionKeys(properties))
			.commandTimeout(commandTimeout)
			.leaseTtl(leaseTtl)
			.leaseWait(LeaseWait.of(properties.getLeaseWait(), leaseTtl, endpoints.getIfAvailable(),
					tokenRefreshProperties.getIfAvailable()))
			.defaultTtl(positive(properties.getDefaultTtl(), "default-ttl"))
			.refreshTokenTtl(positive(properties.getRefreshTokenTtl(), "refresh-token-ttl"))
			.build();
	}

	static Duration positive(@Nullable Duration duration, String property) {
		if (duration == null || duration.isNegative() || duration.isZero()) {
			throw new InvalidConfigurationPropertyValueException(PREFIX + property, duration, "must be positive");
		}
		return duration;
	}

	private static List<byte[]> encryptionKeys(RedisTokenStoreProperties properties) {
		List<byte[]> keys = new ArrayList<>();
		List<String> encoded = properties.getEncryptionKeys();
		for (int i = 0; i < encoded.size(); i++) {
			keys.add(encryptionKey(encoded.get(i), ENCRYPTION_KEYS_PROPERTY + "[" + i + "]"));
		}
		if (StringUtils.hasText(properties.getEncryptionKey())) {
			byte[] single = encryptionKey(properties.getEncryptionKey(), ENCRYPTION_KEY_PROPERTY);
			if (keys.stream().noneMatch((key) -> Arrays.equals(key, single))) {
				keys.add(single);
			}
		}
		return keys;
	}

	private static byte[] encryptionKey(@Nullable String encoded, String property) {
		if (!StringUtils.hasText(encoded)) {
			throw invalidEncryptionKey(property, "it is empty");
		}
		byte[] key;
		try {
			key = Base64.getDecoder().decode(encoded.trim());
		}
		catch (IllegalArgumentException ex) {
			throw invalidEncryptionKey(property, "it is not valid base64");
		}
		if (key.length != 32) {
			throw invalidEncryptionKey(property, "it decodes to " + key.length + " bytes");
		}
		return key;
	}

	private static InvalidConfigurationPropertyValueException invalidEncryptionKey(String property, String reason) {
		// Never echo the configured value: it is a secret, right or wrong.
		return new InvalidConfigurationPropertyValueException(property, "[PROTECTED]",
				"must be a base64-encoded 256-bit (32-byte) AES key, but " + reason);
	}

	/**
	 * Lettuce queues commands while it reconnects and answers them only after its own timeout (a minute by
	 * default); rejecting them lets the store fall back to its in-memory copy at once.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ ClientOptions.class, LettuceClientOptionsBuilderCustomizer.class })
	@ConditionalOnProperty(name = "token-refresh.store.redis.reject-commands-when-disconnected",
			havingValue = "true", matchIfMissing = true)
	static class LettuceConfiguration {

		@Bean
		LettuceClientOptionsBuilderCustomizer tokenRefreshLettuceClientOptionsCustomizer() {
			return (builder) -> builder.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS);
		}

	}

}
