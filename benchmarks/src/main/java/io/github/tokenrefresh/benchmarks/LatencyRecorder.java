package io.github.tokenrefresh.benchmarks;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.publisher.Mono;

/**
 * Start time, latency and outcome of each request of a load run, in preallocated arrays so that recording
 * costs no allocation and no lock.
 */
final class LatencyRecorder {

	private final long[] starts;

	private final long[] latencies;

	private final int[] statuses;

	private final AtomicInteger count = new AtomicInteger();

	LatencyRecorder(int capacity) {
		this.starts = new long[capacity];
		this.latencies = new long[capacity];
		this.statuses = new int[capacity];
	}

	/** Time one request; an error is recorded as status 0. */
	Mono<Integer> time(Mono<Integer> request) {
		return Mono.defer(() -> {
			long start = System.nanoTime();
			return request.onErrorReturn(0).doOnNext((status) -> record(start, status));
		});
	}

	/**
	 * Time one request from a common origin, such as the start of a burst: what a caller among many that
	 * arrived together waits, the time to dispatch the requests ahead of it included.
	 */
	Mono<Integer> timeFrom(long origin, Mono<Integer> request) {
		return request.onErrorReturn(0).doOnNext((status) -> record(origin, status));
	}

	private void record(long start, int status) {
		int i = this.count.getAndIncrement();
		if (i < this.starts.length) {
			this.starts[i] = start;
			this.latencies[i] = System.nanoTime() - start;
			this.statuses[i] = status;
		}
	}

	int count() {
		return Math.min(this.count.get(), this.starts.length);
	}

	int countStatus(int status) {
		int n = 0;
		for (int i = 0; i < count(); i++) {
			if (this.statuses[i] == status) {
				n++;
			}
		}
		return n;
	}

	int countSlowerThan(java.time.Duration latency) {
		int n = 0;
		for (int i = 0; i < count(); i++) {
			if (this.latencies[i] > latency.toNanos()) {
				n++;
			}
		}
		return n;
	}

	Stats stats() {
		return stats((start, end) -> true);
	}

	/** Latency statistics of the requests that pass the filter. */
	Stats stats(RequestFilter filter) {
		int n = count();
		long[] selected = new long[n];
		int k = 0;
		for (int i = 0; i < n; i++) {
			if (filter.test(this.starts[i], this.starts[i] + this.latencies[i])) {
				selected[k++] = this.latencies[i];
			}
		}
		long[] sorted = Arrays.copyOf(selected, k);
		Arrays.sort(sorted);
		return new Stats(k, percentile(sorted, 0.50), percentile(sorted, 0.99), (k > 0) ? sorted[k - 1] : 0);
	}

	private static long percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return 0;
		}
		int index = (int) Math.ceil(p * sorted.length) - 1;
		return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
	}

	/**
	 * Selects requests by when they started and ended ({@link System#nanoTime()}).
	 */
	@FunctionalInterface
	interface RequestFilter {

		boolean test(long start, long end);

	}

	/**
	 * Latency statistics in nanoseconds.
	 * @param count number of requests
	 * @param p50 median
	 * @param p99 99th percentile
	 * @param max slowest
	 */
	record Stats(int count, long p50, long p99, long max) {

		double p50Millis() {
			return this.p50 / 1e6;
		}

		double p99Millis() {
			return this.p99 / 1e6;
		}

		double maxMillis() {
			return this.max / 1e6;
		}

	}

}
