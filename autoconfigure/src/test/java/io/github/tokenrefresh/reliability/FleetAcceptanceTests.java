package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.redis.EmbeddedRedis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fleet guarantees of the Redis store, checked on two Spring Boot applications configured by properties alone
 * ({@code token-refresh.store.type=redis}) that share one redis-server and one authorization server.
 */
class FleetAcceptanceTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static EmbeddedRedis redis;

	private FaultyAuthServer server;

	private ConfigurableApplicationContext a;

	private ConfigurableApplicationContext b;

	@BeforeAll
	static void startRedis() {
		redis = new EmbeddedRedis();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void startInstances() {
		redis.admin().flushall();
		this.server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
		this.a = RedisStressTests.instance(this.server, redis);
		this.b = RedisStressTests.instance(this.server, redis);
	}

	@AfterEach
	void stopInstances() {
		this.a.close();
		this.b.close();
		this.server.close();
	}

	@Test
	void fiveHundredConcurrentRequestsInEachOfTwoInstancesOnAnEmptyStoreMakeOneTokenCall() {
		List<String> bodies = Flux
			.merge(Flux.range(0, 500).flatMap((i) -> get(this.a, "orders"), 500),
					Flux.range(0, 500).flatMap((i) -> get(this.b, "orders"), 500))
			.collectList()
			.block(TIMEOUT);
		assertThat(bodies).hasSize(1000).allMatch("ok"::equals);
		assertThat(this.server.tokenCalls("orders")).isOne();
		assertThat(this.server.presented("orders")).containsExactly("orders-1");
	}

	@Test
	void tokenStoredByOneInstanceIsUsedByTheOtherWithoutATokenCall() {
		assertThat(get(this.a, "billing").block(TIMEOUT)).isEqualTo("ok");
		assertThat(this.server.tokenCalls("billing")).isOne();
		assertThat(get(this.b, "billing").block(TIMEOUT)).isEqualTo("ok");
		assertThat(this.server.tokenCalls("billing")).isOne();
		assertThat(this.server.presented("billing")).containsExactly("billing-1");
	}

	@Test
	void unauthorizedSeenByOneInstanceEvictsTheTokenForTheOther() {
		assertThat(get(this.a, "orders").block(TIMEOUT)).isEqualTo("ok");
		assertThat(get(this.b, "orders").block(TIMEOUT)).isEqualTo("ok");
		// A hears of B's eviction through its subscription to the key's channel.
		String key = this.a.getBean("ordersTokenManager", TokenManager.class).getKey();
		await().atMost(TIMEOUT).until(() -> redis.subscribers(key + ":events") == 2);
		this.server.revoke("orders-1");
		assertThat(get(this.b, "orders").block(TIMEOUT)).isEqualTo("ok");
		assertThat(this.server.tokenCalls("orders")).isEqualTo(2);
		int unauthorized = this.server.unauthorized();
		TokenManager managerOfA = this.a.getBean("ordersTokenManager", TokenManager.class);
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(managerOfA.getStoredToken().map(Token::getAccessToken).block(TIMEOUT))
				.isEqualTo("orders-2"));
		assertThat(get(this.a, "orders").block(TIMEOUT)).isEqualTo("ok");
		// A's request carried the new token at once: no second 401, no token call.
		assertThat(this.server.unauthorized()).isEqualTo(unauthorized);
		assertThat(this.server.tokenCalls("orders")).isEqualTo(2);
		assertThat(this.server.presented("orders")).containsExactlyInAnyOrder("orders-1", "orders-2");
	}

	private static Mono<String> get(ConfigurableApplicationContext context, String client) {
		return context.getBean(client, WebClient.class).get().uri("/items").retrieve().bodyToMono(String.class);
	}

}
