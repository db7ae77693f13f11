package io.github.tokenrefresh.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

import io.github.tokenrefresh.benchmarks.LatencyRecorder.Stats;
import io.github.tokenrefresh.benchmarks.LoadScenarios.BurstResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.InterleavedResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.RedisResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.RolloverResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.StormResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.Wave;

/**
 * Turns the results into {@code RESULTS.md}: one table per scenario, each figure with its ratio to the fixed
 * header (a), and the targets stated as met or not.
 */
final class ResultsReport {

	private final boolean quick;

	private final List<Variant> variants;

	private final Instant started;

	private final double loadBefore;

	private final Map<Variant, EndToEnd> endToEnd = new EnumMap<>(Variant.class);

	/** By the filter benchmark's variant parameter, in the order of the variants. */
	private final Map<String, Isolated> isolated = new java.util.TreeMap<>();

	private List<BurstResult> bursts = List.of();

	private List<StormResult> storms = List.of();

	private List<RolloverResult> rollovers = List.of();

	private @Nullable RedisResult redis;

	private @Nullable InterleavedResult interleaved;

	private @Nullable Instant finished;

	private double loadAfter;

	private long seconds;

	ResultsReport(boolean quick, List<Variant> variants, Instant started, double loadBefore) {
		this.quick = quick;
		this.variants = variants;
		this.started = started;
		this.loadBefore = loadBefore;
	}

	void endToEnd(Collection<RunResult> results) {
		for (RunResult result : results) {
			Variant variant = Variant.of(result.getParams().getParam("variant"));
			EndToEnd entry = this.endToEnd.computeIfAbsent(variant, (v) -> new EndToEnd());
			Result<?> primary = result.getPrimaryResult();
			if (result.getParams().getMode() == Mode.Throughput) {
				entry.throughput = perSecond(primary.getScore(), primary.getScoreUnit());
				entry.throughputError = perSecond(primary.getScoreError(), primary.getScoreUnit());
				entry.allocated = allocated(result);
			}
			else if (result.getParams().getMode() == Mode.SampleTime) {
				entry.p50 = micros(primary.getStatistics().getPercentile(50.0), primary.getScoreUnit());
				entry.p99 = micros(primary.getStatistics().getPercentile(99.0), primary.getScoreUnit());
			}
		}
	}

	void filter(Collection<RunResult> results) {
		for (RunResult result : results) {
			String variant = result.getParams().getParam("variant");
			Result<?> primary = result.getPrimaryResult();
			this.isolated.put(variant, new Isolated(micros(primary.getScore(), primary.getScoreUnit()) * 1000,
					micros(primary.getScoreError(), primary.getScoreUnit()) * 1000, allocated(result)));
		}
	}

	void bursts(List<BurstResult> bursts) {
		this.bursts = bursts;
	}

	void storms(List<StormResult> storms) {
		this.storms = storms;
	}

	void rollovers(List<RolloverResult> rollovers) {
		this.rollovers = rollovers;
	}

	void interleaved(InterleavedResult interleaved) {
		this.interleaved = interleaved;
	}

	void redis(RedisResult redis) {
		this.redis = redis;
	}

	void finish(Instant finished, double loadAfter, long seconds) {
		this.finished = finished;
		this.loadAfter = loadAfter;
		this.seconds = seconds;
	}

	private static double allocated(RunResult result) {
		return result.getSecondaryResults()
			.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().endsWith("gc.alloc.rate.norm"))
			.mapToDouble((entry) -> entry.getValue().getScore())
			.findFirst()
			.orElse(Double.NaN);
	}

	private static double perSecond(double score, String unit) {
		return switch (unit) {
			case "ops/s" -> score;
			case "ops/ms" -> score * 1e3;
			case "ops/us" -> score * 1e6;
			default -> throw new IllegalArgumentException("Unexpected unit " + unit);
		};
	}

	private static double micros(double score, String unit) {
		return switch (unit) {
			case "s/op" -> score * 1e6;
			case "ms/op" -> score * 1e3;
			case "us/op" -> score;
			case "ns/op" -> score / 1e3;
			default -> throw new IllegalArgumentException("Unexpected unit " + unit);
		};
	}

	void write(Path path) throws IOException {
		StringBuilder md = new StringBuilder();
		header(md);
		endToEndTable(md);
		interleavedTable(md);
		filterTable(md);
		burstTable(md);
		rolloverTable(md);
		stormTable(md);
		redisSection(md);
		targets(md);
		Files.writeString(path, md.toString());
	}

	private void header(StringBuilder md) {
		DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
		md.append("# Benchmark results\n\n");
		md.append("Written by `BenchmarkMain` (see README.md for the command); do not edit by hand.\n\n");
		if (this.quick) {
			md.append("**Quick mode: shortened runs to check the suite, not figures to quote.**\n\n");
		}
		md.append("| | |\n|---|---|\n");
		md.append("| Date | ").append(format.format(this.started)).append(" (").append(this.seconds)
			.append(" s in all) |\n");
		md.append("| Machine | ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
			.append(cpuModel()).append(", ").append(System.getProperty("os.name")).append(' ')
			.append(System.getProperty("os.arch")).append(" |\n");
		md.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ')
			.append(System.getProperty("java.runtime.version")).append(", ")
			.append(System.getProperty("bench.jvmArgs", "")).append(" |\n");
		md.append("| Load average (1 min) | ").append(fixed(this.loadBefore, 2)).append(" at the start, ")
			.append(fixed(this.loadAfter, 2))
			.append(" at the end (the suite itself keeps about 1-2 cores busy; more means other work shared the CPU) |\n");
		md.append("| Variants | ");
		for (Variant variant : Variant.values()) {
			md.append(variant.label()).append(this.variants.contains(variant) ? "" : " — not measured").append("; ");
		}
		md.append("|\n");
		md.append("| Servers | reactor-netty resource and token servers on loopback, 2 event-loop threads of their own |\n");
		md.append("| Pools | Reactor Netty pool set explicitly: 16 connections for JMH (one caller), ")
			.append(LoadScenarios.BURST).append(" for bursts and storms, 64 for the closed-loop runs; ")
			.append("token calls use a pool of the same size |\n\n");
	}

	private void endToEndTable(StringBuilder md) {
		md.append("## Per request, end to end (token cached)\n\n");
		md.append("JMH, one caller blocking on each GET over loopback; throughput (`Mode.Throughput`) and the ")
			.append("latency distribution (`Mode.SampleTime`) in separate forks. Allocation is JMH's GC profiler, ")
			.append("all threads of the fork, so it includes the servers. The ± is JMH's 99.9% confidence interval; ")
			.append("when it is wider than the differences between variants, background load decided them, and the ")
			.append("turn-taking table below is the comparison to trust.\n\n");
		md.append("| Variant | Throughput (req/s) | vs (a) | p50 (µs) | p99 (µs) | p99 vs (a) | Allocated (B/req) | vs (a) |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		EndToEnd floor = this.endToEnd.get(Variant.FIXED_HEADER);
		for (Variant variant : this.variants) {
			EndToEnd e = this.endToEnd.get(variant);
			if (e == null) {
				continue;
			}
			md.append("| ").append(variant.label()).append(" | ").append(fixed(e.throughput, 0)).append(" ± ")
				.append(fixed(e.throughputError, 0)).append(" | ")
				.append(percent(e.throughput, (floor != null) ? floor.throughput : Double.NaN)).append(" | ")
				.append(fixed(e.p50, 1)).append(" | ").append(fixed(e.p99, 1)).append(" | ")
				.append(ratio(e.p99, (floor != null) ? floor.p99 : Double.NaN)).append(" | ")
				.append(fixed(e.allocated, 0)).append(" | ")
				.append(ratio(e.allocated, (floor != null) ? floor.allocated : Double.NaN)).append(" |\n");
		}
		md.append('\n');
	}

	private void interleavedTable(StringBuilder md) {
		InterleavedResult result = this.interleaved;
		if (result == null) {
			return;
		}
		md.append("## Per request, variants taking turns (token cached)\n\n");
		md.append("The same one-caller loop as the JMH run, with every variant on the same servers in the same JVM, ")
			.append("taking turns in ").append(result.slice().toMillis()).append(" ms slices for ")
			.append(result.rounds()).append(" rounds (order rotated each round). On a shared machine this is the ")
			.append("fairer throughput comparison: a change in background load hits every variant alike. The ratio ")
			.append("is taken per round, then the median (lowest–highest).\n\n");
		md.append("| Variant | Throughput, median (req/s) | vs (a), median | vs (a), lowest–highest |\n");
		md.append("|---|---:|---:|---:|\n");
		for (Variant variant : this.variants) {
			double[] ratios = result.ratios(variant);
			md.append("| ").append(variant.label()).append(" | ").append(fixed(result.median(variant), 0))
				.append(" | ").append(fixed(LoadScenarios.median(ratios) * 100, 1)).append("% | ")
				.append(fixed(ratios[0] * 100, 1)).append("% – ").append(fixed(ratios[ratios.length - 1] * 100, 1))
				.append("% |\n");
		}
		md.append('\n');
	}

	private void filterTable(StringBuilder md) {
		md.append("## The filter alone (stub `ExchangeFunction`, canned response)\n\n");
		md.append("JMH `Mode.AverageTime` with `-prof gc`: `filter.filter(request, stub).block()`. (a) is a hand-written ")
			.append("filter that copies the request with a fixed Authorization header (`ClientRequest.from(request)")
			.append(".header(..).build()`), the least any filter does; \"over (a)\" is what the token logic adds. ")
			.append("The rows with refresh-ahead 30 s (still far from expiry) show what the freshness check costs ")
			.append("when a refresh-ahead window is configured.\n\n");
		md.append("| Variant | Time (ns/req) | over (a) (ns) | vs (a) | Allocated (B/req) | over (a) (B) | vs (a) |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|\n");
		Isolated floor = this.isolated.get(Variant.FIXED_HEADER.id());
		for (Map.Entry<String, Isolated> entry : this.isolated.entrySet()) {
			Isolated i = entry.getValue();
			md.append("| ").append(FilterBenchmark.label(entry.getKey())).append(" | ").append(fixed(i.nanos, 0)).append(" ± ")
				.append(fixed(i.error, 0)).append(" | ")
				.append((floor != null) ? fixed(i.nanos - floor.nanos, 0) : "—").append(" | ")
				.append(ratio(i.nanos, (floor != null) ? floor.nanos : Double.NaN)).append(" | ")
				.append(fixed(i.allocated, 0)).append(" | ")
				.append((floor != null) ? fixed(i.allocated - floor.allocated, 0) : "—").append(" | ")
				.append(ratio(i.allocated, (floor != null) ? floor.allocated : Double.NaN)).append(" |\n");
		}
		md.append('\n');
	}

	private void burstTable(StringBuilder md) {
		md.append("## Burst: ").append(LoadScenarios.BURST).append(" concurrent requests on an expired token\n\n");
		md.append("The token (2 s lifetime) has expired when the burst starts; the token endpoint answers in ")
			.append(LoadScenarios.BURST_TOKEN_DELAY.toMillis()).append(" ms. Pooled connections were opened ")
			.append("beforehand, so the burst measures the token logic, not TCP set-up. Latencies count from the ")
			.append("start of the burst (all requests are subscribed one after another by one thread). ")
			.append("(a) has nothing to refresh: ")
			.append("its row is the floor for the latency of ").append(LoadScenarios.BURST)
			.append(" concurrent requests. Spring Security's clock skew is set to 1 s (its default of 60 s would ")
			.append("treat a 2 s token as always expired).\n\n");
		md.append("| Variant | Token-endpoint calls | 200 OK | p50 (ms) | p99 (ms) | p99 vs (a) | max (ms) | Redis commands |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		Stats floor = this.bursts.stream()
			.filter((burst) -> burst.variant() == Variant.FIXED_HEADER)
			.map(BurstResult::stats)
			.findFirst()
			.orElse(null);
		for (BurstResult burst : this.bursts) {
			Stats s = burst.stats();
			md.append("| ").append(burst.variant().label()).append(" | ")
				.append((burst.variant() == Variant.FIXED_HEADER) ? "— (fixed)" : burst.tokenCalls()).append(" | ")
				.append(burst.ok()).append(" / ").append(LoadScenarios.BURST).append(" | ")
				.append(fixed(s.p50Millis(), 1)).append(" | ").append(fixed(s.p99Millis(), 1)).append(" | ")
				.append(ratio(s.p99Millis(), (floor != null) ? floor.p99Millis() : Double.NaN)).append(" | ")
				.append(fixed(s.maxMillis(), 1)).append(" | ")
				.append((burst.redisCommands() != null) ? burst.redisCommands() : "—").append(" |\n");
		}
		md.append('\n');
	}

	private void rolloverTable(StringBuilder md) {
		md.append("## Token rollover with a token endpoint slowed to ")
			.append(LoadScenarios.SLOW_TOKEN_DELAY.toMillis()).append(" ms\n\n");
		md.append(LoadScenarios.WORKERS).append(" callers in a closed loop. Steady: a long-lived token, no token ")
			.append("calls. Rollover: tokens of ").append(LoadScenarios.ROLLOVER_LIFETIME.toSeconds())
			.append(" s from a token endpoint that takes ").append(LoadScenarios.SLOW_TOKEN_DELAY.toMillis())
			.append(" ms; the rollover requests are those in flight at any moment of a token call (started before it ")
			.append("ended, ended after it started). token-refresh: refresh-before-expiry ")
			.append(LoadScenarios.REFRESH_BEFORE_EXPIRY.toSeconds()).append(" s.\n\n");
		md.append("| Variant | Configuration | Steady p99 (ms) | Steady p99 vs (a) | Rollover p99 (ms) | Rollover − steady p99 (ms) | Rollover max (ms) | Rollover requests | Token calls | Token calls per rollover |\n");
		md.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
		Stats floor = this.rollovers.stream()
			.filter((r) -> r.variant() == Variant.FIXED_HEADER)
			.map(RolloverResult::steady)
			.findFirst()
			.orElse(null);
		for (RolloverResult r : this.rollovers) {
			Stats rollover = r.rollover();
			md.append("| ").append(r.variant().label()).append(" | ").append(r.configuration()).append(" | ")
				.append(fixed(r.steady().p99Millis(), 2)).append(" | ")
				.append(ratio(r.steady().p99Millis(), (floor != null) ? floor.p99Millis() : Double.NaN))
				.append(" | ");
			if (rollover == null) {
				md.append("— | — | — | — | — | — |\n");
				continue;
			}
			md.append(fixed(rollover.p99Millis(), 2)).append(" | ")
				.append(fixed(rollover.p99Millis() - r.steady().p99Millis(), 2)).append(" | ")
				.append(fixed(rollover.maxMillis(), 1)).append(" | ").append(rollover.count()).append(" | ")
				.append(r.tokenCalls()).append(" | ").append(rolloversPerCall(r)).append(" |\n");
		}
		md.append("\nToken calls per rollover: a rollover is counted once per burst of overlapping token calls ")
			.append("(calls that start within ").append(LoadScenarios.SLOW_TOKEN_DELAY.toMillis())
			.append(" ms of each other).\n\n");
	}

	private static String rolloversPerCall(RolloverResult r) {
		if (r.rollovers() == 0) {
			return "—";
		}
		return fixed((double) r.tokenCalls() / r.rollovers(), 1);
	}

	private void stormTable(StringBuilder md) {
		md.append("## 401 storm: every token revoked by the authorization server\n\n");
		md.append("After the variant cached a token, the resource server starts answering 401 to every token issued ")
			.append("so far; two waves of ").append(LoadScenarios.BURST).append(" concurrent requests follow, the ")
			.append("token endpoint answering in ").append(LoadScenarios.BURST_TOKEN_DELAY.toMillis())
			.append(" ms. Latencies count from the start of each wave. (a) cannot recover from a revoked fixed token ")
			.append("and is not run.\n\n");
		md.append("| Variant | Wave | Token-endpoint calls | 401 returned to callers | Resource-server requests | Errors | p99 (ms) |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|\n");
		for (StormResult storm : this.storms) {
			wave(md, storm.variant(), 1, storm.first());
			wave(md, storm.variant(), 2, storm.second());
		}
		md.append('\n');
	}

	private static void wave(StringBuilder md, Variant variant, int number, Wave wave) {
		md.append("| ").append(variant.label()).append(" | ").append(number).append(" | ").append(wave.tokenCalls())
			.append(" | ").append(wave.unauthorized()).append(" | ").append(wave.resourceRequests()).append(" | ")
			.append(wave.errors()).append(" | ").append(fixed(wave.stats().p99Millis(), 1)).append(" |\n");
	}

	private void redisSection(StringBuilder md) {
		md.append("## Redis commands per request in steady state\n\n");
		RedisResult redis = this.redis;
		if (redis == null) {
			md.append("Not measured: variant (c) was not part of this run.\n\n");
			return;
		}
		md.append("`INFO commandstats` of the embedded redis-server before and after ").append(redis.requests())
			.append(" requests of variant (c) with a cached token (").append(LoadScenarios.WORKERS)
			.append(" callers).\n\n");
		md.append("| Command | Calls | Per request |\n|---|---:|---:|\n");
		if (redis.commands().isEmpty()) {
			md.append("| (none) | 0 | 0 |\n");
		}
		redis.commands().forEach((command, calls) -> md.append("| ").append(command).append(" | ").append(calls)
			.append(" | ").append(fixed((double) calls / redis.requests(), 3)).append(" |\n"));
		md.append("| **all** | ").append(redis.total()).append(" | **")
			.append(fixed((double) redis.total() / redis.requests(), 3)).append("** |\n\n");
	}

	private void targets(StringBuilder md) {
		md.append("## Targets\n\n");
		md.append("| Target | Figure | Met |\n|---|---|---|\n");
		EndToEnd floor = this.endToEnd.get(Variant.FIXED_HEADER);
		throughputTarget(md, floor, Variant.IN_MEMORY, 0.97);
		throughputTarget(md, floor, Variant.REDIS, 0.95);
		for (Variant variant : List.of(Variant.IN_MEMORY, Variant.REDIS)) {
			BurstResult burst = this.bursts.stream().filter((b) -> b.variant() == variant).findFirst().orElse(null);
			md.append("| Burst of ").append(LoadScenarios.BURST).append(" on an expired token → exactly 1 token call, ")
				.append(variant.id()).append(" | ");
			if (burst == null) {
				md.append("not measured | — |\n");
			}
			else {
				md.append(burst.tokenCalls()).append(" call(s), ").append(burst.ok()).append(" / ")
					.append(LoadScenarios.BURST).append(" OK | ").append(yesNo(burst.tokenCalls() == 1)).append(" |\n");
			}
		}
		for (RolloverResult r : this.rollovers) {
			if (r.rollover() != null && r.refreshAhead()) {
				double delta = r.rollover().p99Millis() - r.steady().p99Millis();
				md.append("| Refresh-ahead: rollover p99 within 5 ms of steady p99, ").append(r.variant().id())
					.append(" | ").append(fixed(r.rollover().p99Millis(), 2)).append(" ms vs ")
					.append(fixed(r.steady().p99Millis(), 2)).append(" ms (").append(signed(delta)).append(" ms) | ")
					.append(yesNo(delta <= 5.0)).append(" |\n");
			}
		}
		md.append("| Steady-state Redis commands per request → 0 | ");
		RedisResult redis = this.redis;
		if (redis == null) {
			md.append("not measured | — |\n");
		}
		else {
			double perRequest = (double) redis.total() / redis.requests();
			md.append(fixed(perRequest, 3)).append(" | ").append(yesNo(perRequest < 0.01)).append(" |\n");
		}
		md.append('\n');
	}

	private void throughputTarget(StringBuilder md, @Nullable EndToEnd floor, Variant variant, double target) {
		EndToEnd e = this.endToEnd.get(variant);
		InterleavedResult interleaved = this.interleaved;
		md.append("| ").append(variant.id()).append(" throughput ≥ ").append(Math.round(target * 100))
			.append("% of (a) | ");
		if (e == null || floor == null || interleaved == null || !this.variants.contains(variant)) {
			md.append("not measured | — |\n");
			return;
		}
		double jmh = e.throughput / floor.throughput;
		double turns = LoadScenarios.median(interleaved.ratios(variant));
		md.append(fixed(turns * 100, 1)).append("% taking turns (median); JMH forks: ").append(fixed(jmh * 100, 1))
			.append("% (").append(fixed(e.throughput, 0)).append(" vs ").append(fixed(floor.throughput, 0))
			.append(" req/s) | ").append(yesNo(turns >= target)).append(" by the turn-taking figure; ")
			.append((jmh >= target) ? "yes" : "no").append(" by JMH |\n");
	}

	private static String yesNo(boolean met) {
		return met ? "yes" : "**no**";
	}

	private static String fixed(double value, int decimals) {
		if (Double.isNaN(value)) {
			return "—";
		}
		return String.format(Locale.ROOT, "%,." + decimals + "f", value);
	}

	private static String signed(double value) {
		return String.format(Locale.ROOT, "%+.2f", value);
	}

	private static String percent(double value, double floor) {
		if (Double.isNaN(value) || Double.isNaN(floor) || floor == 0) {
			return "—";
		}
		return fixed(value / floor * 100, 1) + "%";
	}

	private static String ratio(double value, double floor) {
		if (Double.isNaN(value) || Double.isNaN(floor) || floor == 0) {
			return "—";
		}
		return fixed(value / floor, 2) + "×";
	}

	private static String cpuModel() {
		try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
			return lines.filter((line) -> line.startsWith("model name"))
				.map((line) -> line.substring(line.indexOf(':') + 1).trim())
				.findFirst()
				.orElse("unknown CPU");
		}
		catch (IOException | RuntimeException ex) {
			return "unknown CPU";
		}
	}

	private static final class EndToEnd {

		double throughput = Double.NaN;

		double throughputError = Double.NaN;

		double p50 = Double.NaN;

		double p99 = Double.NaN;

		double allocated = Double.NaN;

	}

	private record Isolated(double nanos, double error, double allocated) {
	}

}
