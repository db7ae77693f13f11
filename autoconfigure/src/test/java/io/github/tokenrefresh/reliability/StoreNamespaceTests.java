package io.github.tokenrefresh.reliability;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.redis.EmbeddedRedis;
import io.lettuce.core.cluster.SlotHash;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Store keys on one Redis shared by several applications: a key per application and client identity, so that
 * tokens are shared only when asked for.
 */
class StoreNamespaceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static EmbeddedRedis redis;

	private FaultyAuthServer server;

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void startServer() {
		redis.admin().flushall();
		this.server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void twoApplicationsWithTheSameClientNameGetTwoKeysAndTwoTokens() {
		try (ConfigurableApplicationContext shop = instance("spring.application.name=shop");
				ConfigurableApplicationContext warehouse = instance("spring.application.name=warehouse")) {
			assertThat(get(shop).block(TIMEOUT)).isEqualTo("ok");
			assertThat(get(warehouse).block(TIMEOUT)).isEqualTo("ok");
			assertThat(key(shop)).isNotEqualTo(key(warehouse)).startsWith("token-refresh:{shop:").endsWith("}:orders");
			assertThat(key(warehouse)).startsWith("token-refresh:{warehouse:");
			assertThat(redis.admin().exists(key(shop), key(warehouse))).isEqualTo(2);
			assertThat(this.server.tokenCalls("orders")).isEqualTo(2);
		}
	}

	@Test
	void aClientIdChangeStartsANewKey() {
		// A rolling deploy: the old version still runs when the new one starts.
		try (ConfigurableApplicationContext old = instance("spring.application.name=shop");
				ConfigurableApplicationContext changed = instance("spring.application.name=shop",
						"token-refresh.clients.orders.client-id=orders-v2")) {
			assertThat(get(old).block(TIMEOUT)).isEqualTo("ok");
			assertThat(get(changed).block(TIMEOUT)).isEqualTo("ok");
			assertThat(key(changed)).isNotEqualTo(key(old)).startsWith("token-refresh:{shop:");
			// The old token (another client id's, with its scopes) is not used.
			assertThat(this.server.tokenCalls("orders")).isEqualTo(2);
		}
	}

	@Test
	void applicationsThatShareANamespaceShareTheToken() {
		try (ConfigurableApplicationContext shop = instance("spring.application.name=shop",
				"token-refresh.store.namespace=retail");
				ConfigurableApplicationContext warehouse = instance("spring.application.name=warehouse",
						"token-refresh.store.namespace=retail")) {
			assertThat(get(shop).block(TIMEOUT)).isEqualTo("ok");
			assertThat(get(warehouse).block(TIMEOUT)).isEqualTo("ok");
			assertThat(key(shop)).isEqualTo(key(warehouse)).startsWith("token-refresh:{retail:");
			assertThat(this.server.tokenCalls("orders")).isOne();
		}
	}

	@Test
	void keyLeaseAndChannelShareOneClusterHashTag() {
		try (ConfigurableApplicationContext shop = instance("spring.application.name=shop")) {
			assertThat(get(shop).block(TIMEOUT)).isEqualTo("ok");
			String key = key(shop);
			String tag = key.substring(key.indexOf('{'), key.indexOf('}') + 1);
			assertThat(redis.admin().keys("*" + "\\{*")).allSatisfy((stored) -> assertThat(stored).contains(tag));
			assertThat(SlotHash.getSlot(key)).isEqualTo(SlotHash.getSlot(key + ":lease"))
				.isEqualTo(SlotHash.getSlot(key + ":events"));
		}
	}

	private ConfigurableApplicationContext instance(String... properties) {
		return RedisStressTests.instance(this.server, redis, properties);
	}

	private static String key(ConfigurableApplicationContext context) {
		return context.getBean("ordersTokenManager", TokenManager.class).getKey();
	}

	private static Mono<String> get(ConfigurableApplicationContext context) {
		return context.getBean("orders", WebClient.class).get().uri("/items").retrieve().bodyToMono(String.class);
	}

}
