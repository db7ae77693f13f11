package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;

import io.github.tokenrefresh.autoconfigure.RedisTokenStoreAutoConfiguration;
import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties;
import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisTokenStoreAutoConfiguration}.
 */
class RedisTokenStoreAutoConfigurationTests {

	private static EmbeddedRedis redis;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class,
				DataRedisReactiveAutoConfiguration.class, RedisTokenStoreAutoConfiguration.class))
		.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + redis.port());

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void definesARedisTokenStoreWhenRedisIsChosen() {
		this.contextRunner.withPropertyValues("token-refresh.store.type=redis").run((context) -> {
			assertThat(context).hasSingleBean(TokenStore.class).hasSingleBean(RedisTokenStore.class);
			Token token = Token.builder("access-auto-configured-0123456789")
				.issuedAt(Instant.now())
				.expiresIn(Duration.ofMinutes(5))
				.build();
			RedisTokenStore store = context.getBean(RedisTokenStore.class);
			StepVerifier.create(store.put("token-refresh:auto", token)).expectNext(token).verifyComplete();
			assertThat(redis.admin().get("token-refresh:auto")).contains("\"v\":1");
		});
	}

	@Test
	void makesLettuceRejectCommandsWhileDisconnected() {
		this.contextRunner.withPropertyValues("token-refresh.store.type=redis").run((context) -> {
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.getClientConfiguration().getClientOptions())
				.hasValueSatisfying((options) -> assertThat(options.getDisconnectedBehavior())
					.isEqualTo(DisconnectedBehavior.REJECT_COMMANDS));
		});
	}

	@Test
	void leavesLettuceAloneWhenToldTo() {
		this.contextRunner
			.withPropertyValues("token-refresh.store.type=redis",
					"token-refresh.store.redis.reject-commands-when-disconnected=false")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				assertThat(factory.getClientConfiguration().getClientOptions())
					.hasValueSatisfying((options) -> assertThat(options.getDisconnectedBehavior())
						.isEqualTo(DisconnectedBehavior.DEFAULT));
				assertThat(context).hasSingleBean(RedisTokenStore.class);
			});
	}

	@Test
	void definesNoStoreWithoutTheProperty() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(TokenStore.class)
			.doesNotHaveBean(RedisTokenStore.class));
	}

	@Test
	void definesNoStoreWhenAnotherTypeIsChosen() {
		this.contextRunner.withPropertyValues("token-refresh.store.type=in-memory")
			.run((context) -> assertThat(context).doesNotHaveBean(TokenStore.class));
	}

	@Test
	void backsOffWhenTheApplicationDefinesItsOwnStore() {
		this.contextRunner.withPropertyValues("token-refresh.store.type=redis")
			.withBean(InMemoryTokenStore.class)
			.run((context) -> assertThat(context).hasSingleBean(TokenStore.class)
				.doesNotHaveBean(RedisTokenStore.class));
	}

	@Test
	void definesNoStoreWithoutAConnectionFactory() {
		new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(RedisTokenStoreAutoConfiguration.class))
			.withPropertyValues("token-refresh.store.type=redis")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(TokenStore.class));
	}

	@Test
	void definesNoStoreWithoutSpringDataRedis() {
		this.contextRunner.withPropertyValues("token-refresh.store.type=redis")
			.withClassLoader(new FilteredClassLoader(ReactiveRedisConnectionFactory.class))
			.run((context) -> assertThat(context).doesNotHaveBean(TokenStore.class));
	}

	@Test
	void encryptsWithTheConfiguredKey() {
		this.contextRunner
			.withPropertyValues("token-refresh.store.type=redis",
					"token-refresh.store.redis.encryption-key=q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=")
			.run((context) -> {
				RedisTokenStore store = context.getBean(RedisTokenStore.class);
				assertThat(store.toString()).contains("encrypted=true");
				Token token = Token.builder("access-encrypted-auto-0123456789").issuedAt(Instant.now()).build();
				store.put("token-refresh:encrypted-auto", token).block(Duration.ofSeconds(10));
				assertThat(redis.admin().get("token-refresh:encrypted-auto")).doesNotContain(token.getAccessToken());
			});
	}

	@Test
	void failsToStartWithAKeyOfTheWrongLength() {
		String shortKey = "c2hvcnQta2V5LW9mLTE2Yg==";
		this.contextRunner
			.withPropertyValues("token-refresh.store.type=redis",
					"token-refresh.store.redis.encryption-key=" + shortKey)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.hasMessageContaining("token-refresh.store.redis.encryption-key")
					.hasMessageContaining("256-bit")
					.hasMessageNotContaining(shortKey);
			});
	}

	@Test
	void failsToStartWithANonPositiveLeaseWait() {
		this.contextRunner
			.withPropertyValues("token-refresh.store.type=redis", "token-refresh.store.redis.lease-wait=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("token-refresh.store.redis.lease-wait")
				.hasMessageContaining("must be positive"));
	}

	@Test
	void failsToStartWithALeaseWaitShorterThanTheSlowestTokenCall() {
		TokenRefreshProperties properties = new TokenRefreshProperties();
		TokenRefreshProperties.Client billing = new TokenRefreshProperties.Client();
		billing.setTimeout(Duration.ofSeconds(20));
		properties.getClients().put("billing", billing);
		properties.getClients().put("orders", new TokenRefreshProperties.Client());
		this.contextRunner.withBean(TokenEndpoints.class, () -> TokenEndpoints.builder().build())
			.withBean(TokenRefreshProperties.class, () -> properties)
			.withPropertyValues("token-refresh.store.type=redis", "token-refresh.store.redis.lease-wait=60s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("token-refresh.store.redis.lease-wait")
				.hasMessageContaining("token-refresh.clients.billing.timeout")
				.hasMessageContaining("4 attempts")
				.hasMessageContaining("PT1M26S"));
	}

	@Test
	void derivesTheLeaseWaitFromTheSlowestTokenCallAndTheLeaseTtl() {
		this.contextRunner.withBean(TokenEndpoints.class, () -> TokenEndpoints.builder().build())
			.withPropertyValues("token-refresh.store.type=redis")
			.run((context) -> assertThat(context.getBean(RedisTokenStore.class).leaseWait())
				.isEqualTo(Duration.ofSeconds(10 * 4 + 2 * 3 + 10)));
	}

	@Test
	void failsToStartWithALeaseTtlTheRenewalsCannotKeepAlive() {
		this.contextRunner
			.withPropertyValues("token-refresh.store.type=redis", "token-refresh.store.redis.lease-ttl=1s",
					"token-refresh.store.redis.command-timeout=500ms")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("token-refresh.store.redis.lease-ttl")
				.hasMessageContaining("token-refresh.store.redis.command-timeout"));
	}

	@Test
	void failsToStartWithAKeyThatIsNotBase64() {
		this.contextRunner
			.withPropertyValues("token-refresh.store.type=redis",
					"token-refresh.store.redis.encryption-key=not base64 at all!")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("token-refresh.store.redis.encryption-key")
				.hasMessageContaining("not valid base64"));
	}

}
