package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import io.github.tokenrefresh.redis.EmbeddedRedis;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two Spring Boot applications on one redis-server, one calling with its RestClient and the other with its
 * WebClient, share one token: the Redis store's fleet single flight serves both kinds of client.
 */
class RestClientFleetTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static EmbeddedRedis redis;

	private FaultyAuthServer server;

	private ConfigurableApplicationContext restClientInstance;

	private ConfigurableApplicationContext webClientInstance;

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
		this.server.slowness(1.0, Duration.ofMillis(300));
		this.restClientInstance = RedisStressTests.instance(this.server, redis);
		this.webClientInstance = RedisStressTests.instance(this.server, redis);
	}

	@AfterEach
	void stopInstances() {
		this.restClientInstance.close();
		this.webClientInstance.close();
		this.server.close();
	}

	@Test
	void restClientInOneInstanceAndWebClientInAnotherMakeOneTokenCallForAThousandRequests() throws Exception {
		RestClient restClient = this.restClientInstance.getBean("ordersRestClient", RestClient.class);
		WebClient webClient = this.webClientInstance.getBean("orders", WebClient.class);
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService threads = Executors.newFixedThreadPool(50);
		try {
			List<Future<String>> restCalls = new ArrayList<>();
			for (int i = 0; i < 500; i++) {
				restCalls.add(threads.submit(() -> {
					go.await();
					return restClient.get().uri("/items").retrieve().body(String.class);
				}));
			}
			go.countDown();
			List<String> bodies = new ArrayList<>(Flux.range(0, 500)
				.flatMap((i) -> webClient.get().uri("/items").retrieve().bodyToMono(String.class), 500)
				.collectList()
				.block(TIMEOUT));
			for (Future<String> call : restCalls) {
				bodies.add(call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
			}
			assertThat(bodies).hasSize(1000).allMatch("ok"::equals);
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.server.tokenCalls("orders")).isOne();
		assertThat(this.server.presented("orders")).containsExactly("orders-1");
	}

}
