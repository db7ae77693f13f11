package io.github.tokenrefresh.reliability;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One client, three kinds of caller at once: RestClient requests on platform threads, RestClient requests on
 * virtual threads and WebClient requests, all on one token manager, make one token call between them on a cold
 * store and one more after the token is revoked.
 * <p>
 * Runs in the surefire execution {@code virtual-threads}, on a JDK with virtual threads (the build's bytecode is
 * Java 17, so the virtual-thread API is reached through method handles, in this test only); the test fails, rather
 * than skips, on a JDK without them.
 */
class MixedClientsVirtualThreadTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	private static final int PER_KIND = 500;

	private FaultyAuthServer server;

	private ConfigurableApplicationContext context;

	@BeforeEach
	void start() {
		this.server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
		this.server.challenge("Bearer error=\"invalid_token\"");
		// Slow token calls keep the single flight open while the burst arrives.
		this.server.slowness(1.0, Duration.ofMillis(300));
		this.context = Applications.start(this.server.clientProperties(),
				"spring.http.clients.imperative.factory=jdk");
	}

	@AfterEach
	void stop() {
		this.context.close();
		this.server.close();
	}

	@Test
	void platformAndVirtualThreadRestClientsAndWebClientsMakeOneTokenCallPerWave() throws Throwable {
		assertThat(Runtime.version().feature()).as("JDK with virtual threads").isGreaterThanOrEqualTo(21);
		RestClient restClient = this.context.getBean("ordersRestClient", RestClient.class);
		WebClient webClient = this.context.getBean("orders", WebClient.class);
		Wave first = wave(restClient, webClient);
		assertThat(first.bodies()).hasSize(3 * PER_KIND).allMatch("ok"::equals);
		assertThat(first.virtualThreads()).isEqualTo(PER_KIND);
		assertThat(this.server.tokenCalls("orders")).isOne();

		this.server.revoke(this.server.currentToken("orders"));
		Wave second = wave(restClient, webClient);
		assertThat(second.bodies()).hasSize(3 * PER_KIND).allMatch("ok"::equals);
		assertThat(second.virtualThreads()).isEqualTo(PER_KIND);
		assertThat(this.server.tokenCalls("orders")).isEqualTo(2);
		assertThat(this.server.presented("orders")).hasSize(2);
	}

	private Wave wave(RestClient restClient, WebClient webClient) throws Throwable {
		CountDownLatch go = new CountDownLatch(1);
		Set<Thread> virtual = ConcurrentHashMap.newKeySet();
		ExecutorService platform = Executors.newFixedThreadPool(50);
		ExecutorService virtualThreads = newVirtualThreadPerTaskExecutor();
		try {
			List<Future<String>> calls = new ArrayList<>();
			for (int i = 0; i < PER_KIND; i++) {
				calls.add(platform.submit(restCall(restClient, go, null)));
				calls.add(virtualThreads.submit(restCall(restClient, go, virtual)));
			}
			Mono<List<String>> webCalls = Flux.range(0, PER_KIND)
				.flatMap((i) -> webClient.get().uri("/items").retrieve().bodyToMono(String.class), PER_KIND)
				.collectList();
			go.countDown();
			List<String> bodies = new ArrayList<>(webCalls.block(TIMEOUT));
			for (Future<String> call : calls) {
				bodies.add(call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
			}
			return new Wave(bodies, virtual.size());
		}
		finally {
			platform.shutdownNow();
			virtualThreads.shutdownNow();
		}
	}

	private static Callable<String> restCall(RestClient restClient, CountDownLatch go, Set<Thread> virtual) {
		return () -> {
			if (virtual != null && isVirtual(Thread.currentThread())) {
				virtual.add(Thread.currentThread());
			}
			go.await();
			return restClient.get().uri("/items").retrieve().body(String.class);
		};
	}

	private static ExecutorService newVirtualThreadPerTaskExecutor() throws Throwable {
		MethodHandle factory = MethodHandles.publicLookup()
			.findStatic(Executors.class, "newVirtualThreadPerTaskExecutor", MethodType.methodType(ExecutorService.class));
		return (ExecutorService) factory.invoke();
	}

	private static boolean isVirtual(Thread thread) {
		try {
			MethodHandle isVirtual = MethodHandles.publicLookup()
				.findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
			return (boolean) isVirtual.invoke(thread);
		}
		catch (Throwable ex) {
			throw new AssertionError("Thread.isVirtual() is not available", ex);
		}
	}

	private record Wave(List<String> bodies, int virtualThreads) {
	}

}
