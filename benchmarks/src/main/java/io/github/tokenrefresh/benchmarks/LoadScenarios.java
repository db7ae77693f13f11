package io.github.tokenrefresh.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.benchmarks.LatencyRecorder.Stats;
import io.github.tokenrefresh.benchmarks.VariantClient.Settings;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static org.awaitility.Awaitility.await;

/**
 * Bounded load runs for what JMH does not measure well: bursts of concurrent requests, token rollover under a
 * slow token endpoint, 401 storms and Redis round trips. Each run opens its pooled connections first, with the
 * fixed token, so that connection set-up is not counted against the variant under test.
 */
final class LoadScenarios {

	/** Requests in a burst and in each wave of a 401 storm; also the pool size, so none waits for a connection. */
	static final int BURST = 1000;

	/** A realistic token endpoint latency for bursts and storms, long enough for requests to pile up behind it. */
	static final Duration BURST_TOKEN_DELAY = Duration.ofMillis(50);

	/** The slowed token endpoint at rollover. */
	static final Duration SLOW_TOKEN_DELAY = Duration.ofMillis(500);

	/** Concurrent requests in a closed-loop (steady or rollover) run. */
	static final int WORKERS = 16;

	/** Lifetime of tokens in the rollover run: a refresh-ahead every few seconds. */
	static final Duration ROLLOVER_LIFETIME = Duration.ofSeconds(6);

	static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofSeconds(1);

	static final Duration REFRESH_AHEAD = Duration.ofSeconds(3);

	private final BenchmarkServers servers;

	private final boolean quick;

	LoadScenarios(BenchmarkServers servers, boolean quick) {
		this.servers = servers;
		this.quick = quick;
	}

	/**
	 * {@value #BURST} concurrent requests on an expired token: how many token calls, how long the callers wait.
	 */
	BurstResult burst(Variant variant) throws Exception {
		reset(Duration.ofHours(1), Duration.ZERO);
		try (VariantClient client = new VariantClient(variant, this.servers,
				Settings.defaults(BURST).withRefreshBeforeExpiry(Duration.ofSeconds(60), Duration.ofSeconds(1)))) {
			burst(client::warm, new LatencyRecorder(BURST));
			// A two-second token: stale for both libraries after one second, refused by the server after two.
			this.servers.tokenLifetime(Duration.ofSeconds(2));
			long issuedBefore = this.servers.tokensIssued();
			expectOk(client);
			long issued = this.servers.tokensIssued() - issuedBefore;
			// (a) sends its fixed header and takes no token; every other variant must now hold the short one, or
			// the burst below would not start from an expired token.
			if (issued != ((variant == Variant.FIXED_HEADER) ? 0 : 1)) {
				throw new IllegalStateException(variant.label() + " took " + issued + " tokens before the burst");
			}
			reset(Duration.ofHours(1), BURST_TOKEN_DELAY);
			// The token is real and so is its clock: wait until the servers have let it expire.
			await().atMost(Duration.ofSeconds(10))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> this.servers.tokensIssuedSinceExpired(issuedBefore, Duration.ofMillis(200)));
			Map<String, Long> redisBefore = client.redisCommandStats();
			long calls = this.servers.tokenCalls();
			LatencyRecorder recorder = new LatencyRecorder(BURST);
			burst(client::get, recorder);
			Map<String, Long> redisAfter = client.redisCommandStats();
			if (!redisAfter.isEmpty()) {
				BenchmarkMain.log("  Redis commands in the burst: " + delta(redisBefore, redisAfter));
			}
			return new BurstResult(variant, recorder.stats(), this.servers.tokenCalls() - calls,
					recorder.countStatus(200), redisCommands(redisBefore, redisAfter));
		}
	}

	/**
	 * Two waves of {@value #BURST} concurrent requests right after the authorization server revoked every token.
	 */
	StormResult storm(Variant variant) throws Exception {
		reset(Duration.ofHours(1), BURST_TOKEN_DELAY);
		try (VariantClient client = new VariantClient(variant, this.servers, Settings.defaults(BURST))) {
			burst(client::warm, new LatencyRecorder(BURST));
			expectOk(client);
			this.servers.revokeAll();
			List<Wave> waves = new ArrayList<>();
			for (int i = 0; i < 2; i++) {
				long calls = this.servers.tokenCalls();
				long requests = this.servers.resourceRequests();
				LatencyRecorder recorder = new LatencyRecorder(BURST);
				burst(client::get, recorder);
				waves.add(new Wave(recorder.stats(), this.servers.tokenCalls() - calls,
						this.servers.resourceRequests() - requests, recorder.countStatus(401),
						BURST - recorder.countStatus(200) - recorder.countStatus(401)));
			}
			return new StormResult(variant, waves.get(0), waves.get(1));
		}
	}

	/**
	 * {@value #WORKERS} callers in a closed loop: first with a long-lived token (steady), then, on a second client
	 * of the same configuration, with {@link #ROLLOVER_LIFETIME} tokens from a token endpoint slowed to
	 * {@link #SLOW_TOKEN_DELAY}. Requests in flight at any moment of a token call are the rollover requests.
	 */
	RolloverResult rollover(Variant variant, String configuration, Settings settings) throws Exception {
		Duration warmup = Duration.ofSeconds(1);
		Duration steadyTime = this.quick ? Duration.ofSeconds(2) : Duration.ofSeconds(4);
		Duration rolloverTime = this.quick ? Duration.ofSeconds(7) : Duration.ofSeconds(11);
		Stats steady;
		reset(Duration.ofHours(1), Duration.ZERO);
		try (VariantClient client = new VariantClient(variant, this.servers, settings)) {
			closedLoop(client, warmup, null);
			LatencyRecorder recorder = new LatencyRecorder(1_000_000);
			closedLoop(client, steadyTime, recorder);
			steady = recorder.stats();
		}
		if (variant == Variant.FIXED_HEADER) {
			return new RolloverResult(variant, configuration, false, steady, null, null, 0, 0);
		}
		reset(ROLLOVER_LIFETIME, Duration.ZERO);
		try (VariantClient client = new VariantClient(variant, this.servers, settings)) {
			closedLoop(client, warmup, null);
			this.servers.tokenDelay(SLOW_TOKEN_DELAY);
			long calls = this.servers.tokenCalls();
			long start = System.nanoTime();
			LatencyRecorder recorder = new LatencyRecorder(2_000_000);
			closedLoop(client, rolloverTime, recorder);
			List<long[]> windows = this.servers.tokenCallWindows()
				.stream()
				.filter((window) -> window[0] >= start)
				.toList();
			// In flight at any time during a token call: the requests a rollover can delay.
			Stats rollover = recorder.stats((requestStart, requestEnd) -> windows.stream()
				.anyMatch((window) -> requestStart <= window[1] && requestEnd >= window[0]));
			BenchmarkMain.log("  " + configuration + ": " + recorder.count() + " requests, "
					+ recorder.countSlowerThan(Duration.ofMillis(100)) + " slower than 100 ms, rollover " + rollover
					+ ", steady " + steady);
			return new RolloverResult(variant, configuration, !settings.refreshAhead().isZero(), steady, rollover,
					recorder.stats(),
					this.servers.tokenCalls() - calls, episodes(windows));
		}
		finally {
			this.servers.tokenDelay(Duration.ZERO);
		}
	}

	/**
	 * One caller blocking on each GET, as in the JMH run, but with the variants taking turns in short slices
	 * on the same servers: slow drifts of a shared machine's load then hit every variant alike, and the median
	 * of the per-round ratios to (a) is the figure least disturbed by them.
	 */
	InterleavedResult interleaved(List<Variant> variants) throws Exception {
		reset(Duration.ofHours(1), Duration.ZERO);
		// Short slices, many rounds: a burst of background load then spoils few ratios, and the median ignores them.
		int rounds = this.quick ? 4 : 30;
		long slice = Duration.ofMillis(500).toNanos();
		Map<Variant, VariantClient> clients = new java.util.EnumMap<>(Variant.class);
		try {
			for (Variant variant : variants) {
				VariantClient client = new VariantClient(variant, this.servers, Settings.defaults(16));
				clients.put(variant, client);
				expectOk(client);
				run(client, 4 * slice);
			}
			Map<Variant, double[]> rates = new java.util.EnumMap<>(Variant.class);
			variants.forEach((variant) -> rates.put(variant, new double[rounds]));
			for (int round = 0; round < rounds; round++) {
				for (int i = 0; i < variants.size(); i++) {
					// Rotate the order so that no variant always runs right after another.
					Variant variant = variants.get((i + round) % variants.size());
					rates.get(variant)[round] = run(clients.get(variant), slice) * 1e9 / slice;
				}
			}
			return new InterleavedResult(rounds, Duration.ofNanos(slice), rates);
		}
		finally {
			for (VariantClient client : clients.values()) {
				client.close();
			}
		}
	}

	private static long run(VariantClient client, long nanos) {
		long deadline = System.nanoTime() + nanos;
		long count = 0;
		while (System.nanoTime() < deadline) {
			client.get().block();
			count++;
		}
		return count;
	}

	/**
	 * Redis commands sent per request in steady state, from {@code INFO commandstats} before and after.
	 */
	RedisResult redisCommands() throws Exception {
		reset(Duration.ofHours(1), Duration.ZERO);
		int requests = this.quick ? 2_000 : 10_000;
		try (VariantClient client = new VariantClient(Variant.REDIS, this.servers, Settings.defaults(WORKERS))) {
			expectOk(client);
			closedLoop(client, Duration.ofSeconds(1), null);
			Map<String, Long> before = client.redisCommandStats();
			Flux.range(0, requests).flatMap((i) -> client.get(), WORKERS).blockLast(Duration.ofMinutes(2));
			return new RedisResult(requests, delta(before, client.redisCommandStats()));
		}
	}

	/** Token calls that start within one slow token call of each other belong to the same rollover. */
	private static int episodes(List<long[]> windows) {
		long gap = SLOW_TOKEN_DELAY.toNanos();
		int episodes = 0;
		long episodeStart = Long.MIN_VALUE;
		for (long[] window : windows.stream().sorted(java.util.Comparator.comparingLong((w) -> w[0])).toList()) {
			if (episodes == 0 || window[0] > episodeStart + gap) {
				episodes++;
				episodeStart = window[0];
			}
		}
		return episodes;
	}

	private void reset(Duration lifetime, Duration delay) {
		this.servers.tokenLifetime(lifetime);
		this.servers.tokenDelay(delay);
	}

	private static void expectOk(VariantClient client) {
		Integer status = client.get().block(Duration.ofSeconds(30));
		if (status == null || status != 200) {
			throw new IllegalStateException(client.variant().label() + " answered " + status);
		}
	}

	/**
	 * Latencies count from the start of the burst, not from each request's own subscription: the requests are
	 * dispatched one after another, and a variant that defers that work (to after a token call) must not look
	 * faster or slower than one that does it up front.
	 */
	private static void burst(Supplier<Mono<Integer>> request, LatencyRecorder recorder) {
		long origin = System.nanoTime();
		Flux.range(0, BURST)
			.flatMap((i) -> recorder.timeFrom(origin, request.get()), BURST)
			.blockLast(Duration.ofMinutes(2));
	}

	private static void closedLoop(VariantClient client, Duration duration, @Nullable LatencyRecorder recorder) {
		long deadline = System.nanoTime() + duration.toNanos();
		Flux.range(0, WORKERS)
			.flatMap((i) -> ((recorder != null) ? recorder.time(client.get()) : client.get())
				.repeat(() -> System.nanoTime() < deadline), WORKERS)
			.blockLast(duration.plusMinutes(1));
	}

	/** Calls per command between two {@code INFO commandstats} readings, without the {@code info} calls. */
	private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
		Map<String, Long> delta = new java.util.TreeMap<>();
		after.forEach((command, calls) -> {
			long d = calls - before.getOrDefault(command, 0L);
			if (d > 0 && !command.equals("info")) {
				delta.put(command, d);
			}
		});
		return delta;
	}

	private static @Nullable Long redisCommands(Map<String, Long> before, Map<String, Long> after) {
		if (after.isEmpty()) {
			return null;
		}
		long total = 0;
		for (Map.Entry<String, Long> entry : after.entrySet()) {
			if (!entry.getKey().equals("info")) {
				total += entry.getValue() - before.getOrDefault(entry.getKey(), 0L);
			}
		}
		return total;
	}

	record BurstResult(Variant variant, Stats stats, long tokenCalls, int ok, @Nullable Long redisCommands) {
	}

	record Wave(Stats stats, long tokenCalls, long resourceRequests, int unauthorized, int errors) {
	}

	record StormResult(Variant variant, Wave first, Wave second) {
	}

	record RolloverResult(Variant variant, String configuration, boolean refreshAhead, Stats steady,
			@Nullable Stats rollover, @Nullable Stats overall, long tokenCalls, int rollovers) {
	}

	record InterleavedResult(int rounds, Duration slice, Map<Variant, double[]> rates) {

		double median(Variant variant) {
			return LoadScenarios.median(this.rates.get(variant));
		}

		/** Per round, the variant's throughput over (a)'s; then the median, lowest and highest. */
		double[] ratios(Variant variant) {
			double[] own = this.rates.get(variant);
			double[] floor = this.rates.get(Variant.FIXED_HEADER);
			double[] ratios = new double[own.length];
			for (int i = 0; i < own.length; i++) {
				ratios[i] = own[i] / floor[i];
			}
			java.util.Arrays.sort(ratios);
			return ratios;
		}

	}

	static double median(double[] values) {
		double[] sorted = values.clone();
		java.util.Arrays.sort(sorted);
		int n = sorted.length;
		return (n % 2 == 1) ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	}

	record RedisResult(int requests, Map<String, Long> commands) {

		long total() {
			return this.commands.values().stream().mapToLong(Long::longValue).sum();
		}

	}

}
