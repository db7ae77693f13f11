package io.github.tokenrefresh.reliability;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import io.github.tokenrefresh.test.BlockHoundChecks;
import io.github.tokenrefresh.test.InBlockHoundJvm;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The token interceptor called where it must not block, on Reactor's parallel threads and on a Reactor Netty event
 * loop, fails at once with an {@link IllegalStateException} naming the client, and never parks the thread: BlockHound
 * would detect a park, a wait or a sleep there. Runs in the BlockHound JVM.
 */
@InBlockHoundJvm
class RestClientBlockHoundTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final Duration AT_ONCE = Duration.ofMillis(100);

	private static FaultyAuthServer server;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void start() {
		BlockHound.install();
		server = new FaultyAuthServer(Duration.ofMinutes(5), Duration.ofSeconds(60));
		context = Applications.start(server.clientProperties());
	}

	@AfterAll
	static void stop() {
		context.close();
		server.close();
	}

	@BeforeEach
	void forgetDetections() {
		RecordingBlockHoundIntegration.clear();
	}

	@Test
	void blockHoundDetectsABlockingCallOnAParallelThread() {
		BlockHoundChecks.assertBlockingCallFailsOnAParallelThread(TIMEOUT);
		assertThat(RecordingBlockHoundIntegration.detected()).singleElement().asString().contains("wait");
	}

	@Test
	void restClientOnANonBlockingThreadFailsWithinAHundredMillisecondsWithoutParkingIt() {
		RestClient restClient = context.getBean("ordersRestClient", RestClient.class);
		// Loaded and working on a thread that may block: what is measured below is the interceptor's refusal only.
		assertThat(restClient.get().uri("/items").retrieve().body(String.class)).isEqualTo("ok");
		int tokenCalls = server.tokenCalls("orders");

		Outcome onParallel = Mono.fromCallable(() -> call(restClient)).subscribeOn(Schedulers.parallel()).block(TIMEOUT);
		Outcome onEventLoop = context.getBean("billing", WebClient.class)
			.get()
			.uri("/items")
			.retrieve()
			.bodyToMono(String.class)
			.map((ignored) -> call(restClient))
			.block(TIMEOUT);

		assertThat(onParallel.thread()).startsWith("parallel-");
		assertThat(onEventLoop.thread()).startsWith("reactor-http-");
		for (Outcome outcome : new Outcome[] { onParallel, onEventLoop }) {
			assertThat(outcome.failure()).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("token-refresh client 'orders'")
				.hasMessageContaining(outcome.thread());
			assertThat(outcome.elapsed()).isLessThan(AT_ONCE);
		}
		assertThat(RecordingBlockHoundIntegration.detected()).isEmpty();
		assertThat(server.tokenCalls("orders")).isEqualTo(tokenCalls);
	}

	private static Outcome call(RestClient restClient) {
		long start = System.nanoTime();
		Throwable failure = null;
		try {
			restClient.get().uri("/items").retrieve().body(String.class);
		}
		catch (Throwable ex) {
			failure = ex;
		}
		return new Outcome(Thread.currentThread().getName(), failure, Duration.ofNanos(System.nanoTime() - start));
	}

	private record Outcome(String thread, Throwable failure, Duration elapsed) {
	}

}
