package io.github.tokenrefresh.reliability;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

import io.github.tokenrefresh.core.TokenRefreshException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sends a bounded number of GET requests at a bounded concurrency through a set of WebClients, cancels a random
 * share of them, and classifies how every single one ended. A request that neither completes nor fails within
 * the per-request timeout is counted as hung rather than waited for.
 */
final class Load {

	private final List<WebClient> clients;

	private final List<String> paths;

	private int concurrency = 128;

	private double cancelShare;

	private Duration requestTimeout = Duration.ofSeconds(20);

	Load(List<WebClient> clients, List<String> paths) {
		this.clients = clients;
		this.paths = paths;
	}

	Load concurrency(int concurrency) {
		this.concurrency = concurrency;
		return this;
	}

	Load cancelShare(double cancelShare) {
		this.cancelShare = cancelShare;
		return this;
	}

	Load requestTimeout(Duration requestTimeout) {
		this.requestTimeout = requestTimeout;
		return this;
	}

	/**
	 * Send {@code requests} requests, calling {@code onStart} with the index of each as it is sent.
	 */
	Report run(int requests, IntConsumer onStart) {
		Report report = new Report();
		Flux.range(0, requests)
			.flatMap((i) -> Mono.defer(() -> {
				onStart.accept(i);
				return request(i, report);
			}).doOnNext((outcome) -> report.count(outcome)), this.concurrency)
			.then()
			// Every request is bounded by its own timeout; this bound only guards the test itself.
			.block(this.requestTimeout.multipliedBy(requests / this.concurrency + 2));
		report.requests = requests;
		return report;
	}

	private Mono<Outcome> request(int i, Report report) {
		int client = i % this.clients.size();
		Mono<Outcome> outcome = this.clients.get(client)
			.get()
			.uri(this.paths.get(client) + "/items/" + i)
			.retrieve()
			.bodyToMono(String.class)
			.map((body) -> "ok".equals(body) ? Outcome.SUCCEEDED : Outcome.FAILED_UNDOCUMENTED);
		ThreadLocalRandom random = ThreadLocalRandom.current();
		if (random.nextDouble() < this.cancelShare) {
			// take(Duration) cancels the request when it has not finished in time: the caller gave up.
			outcome = outcome.take(Duration.ofMillis(random.nextLong(0, 30))).defaultIfEmpty(Outcome.CANCELLED);
		}
		return outcome.timeout(this.requestTimeout, Mono.just(Outcome.HUNG))
			.onErrorResume((ex) -> Mono.just(classify(ex, report)))
			.defaultIfEmpty(Outcome.FAILED_UNDOCUMENTED);
	}

	private static Outcome classify(Throwable ex, Report report) {
		// The documented failures: the starter's own exceptions, and the resource's last 401 after the retries.
		if (ex instanceof TokenRefreshException || ex instanceof WebClientResponseException.Unauthorized) {
			return Outcome.FAILED_DOCUMENTED;
		}
		if (ex instanceof WebClientRequestException) {
			// The resource request's own I/O error, passed through unchanged. A plain WebClient without the starter
			// sees the same under cancellations: Reactor Netty closes the connection of a cancelled request.
			report.transport.add(ex.getMessage());
			return Outcome.FAILED_TRANSPORT;
		}
		report.undocumented.add(ex.getClass().getName() + ": " + ex.getMessage());
		return Outcome.FAILED_UNDOCUMENTED;
	}

	/**
	 * Return the heap in use after a full collection, in bytes.
	 */
	static long heapAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		long used = Long.MAX_VALUE;
		// The lowest of a few readings: a collection can leave garbage a concurrent phase has not yet freed.
		for (int i = 0; i < 3; i++) {
			System.gc();
			used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
		}
		return used;
	}

	enum Outcome {

		SUCCEEDED, CANCELLED, FAILED_DOCUMENTED, FAILED_TRANSPORT, FAILED_UNDOCUMENTED, HUNG

	}

	static final class Report {

		final Queue<String> undocumented = new ConcurrentLinkedQueue<>();

		final Queue<String> transport = new ConcurrentLinkedQueue<>();

		private final Map<Outcome, AtomicInteger> counts = new ConcurrentHashMap<>();

		int requests;

		void count(Outcome outcome) {
			this.counts.computeIfAbsent(outcome, (key) -> new AtomicInteger()).incrementAndGet();
		}

		int get(Outcome outcome) {
			AtomicInteger count = this.counts.get(outcome);
			return (count != null) ? count.get() : 0;
		}

		int total() {
			return this.counts.values().stream().mapToInt(AtomicInteger::get).sum();
		}

		/**
		 * None lost, none hung, none failed in an undocumented way; resource I/O errors (seen with cancelling
		 * callers, as with a plain WebClient) under 1 %, most requests successful, and some cancelled.
		 */
		void assertEveryRequestEndedInAKnownWay(int sent) {
			assertThat(total()).isEqualTo(sent);
			assertThat(get(Outcome.HUNG)).isZero();
			assertThat(get(Outcome.FAILED_UNDOCUMENTED)).as("undocumented failures: %s", this.undocumented).isZero();
			assertThat(get(Outcome.FAILED_TRANSPORT)).as("resource I/O errors: %s", this.transport)
				.isLessThan(total() / 100);
			assertThat(get(Outcome.SUCCEEDED)).isGreaterThan(total() * 3 / 4);
			assertThat(get(Outcome.CANCELLED)).isPositive();
		}

		Report plus(Report other) {
			Report sum = new Report();
			for (Outcome outcome : Outcome.values()) {
				sum.counts.put(outcome, new AtomicInteger(get(outcome) + other.get(outcome)));
			}
			sum.requests = this.requests + other.requests;
			sum.undocumented.addAll(this.undocumented);
			sum.undocumented.addAll(other.undocumented);
			sum.transport.addAll(this.transport);
			sum.transport.addAll(other.transport);
			return sum;
		}

		@Override
		public String toString() {
			Map<Outcome, Integer> shown = new EnumMap<>(Outcome.class);
			for (Outcome outcome : Outcome.values()) {
				shown.put(outcome, get(outcome));
			}
			return shown + " of " + this.requests + " requests";
		}

	}

}
