package io.github.tokenrefresh.benchmarks;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import io.github.tokenrefresh.benchmarks.LoadScenarios.BurstResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.RedisResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.RolloverResult;
import io.github.tokenrefresh.benchmarks.LoadScenarios.StormResult;
import io.github.tokenrefresh.benchmarks.VariantClient.Settings;

/**
 * Runs every benchmark, JMH first and then the load scenarios, and writes the results as markdown.
 * <p>
 * {@code -Dbench.mode=quick} shortens every run to check that the whole suite works; the committed results come
 * from a full run. The first argument is the file to write, {@code RESULTS.md} by default.
 */
public final class BenchmarkMain {

	/** Every scenario; {@code -Dbench.scenarios} picks some of them, comma-separated, while working on one. */
	static final String ALL_SCENARIOS = "e2e,filter,turns,burst,storm,rollover,redis";

	/** The committed report: written by full runs only. */
	static final String RESULTS = "RESULTS.md";

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		boolean quick = "quick".equals(System.getProperty("bench.mode"));
		Path output = output((args.length > 0) ? args[0] : RESULTS, quick);
		String[] jvmArgs = System.getProperty("bench.jvmArgs", "-Xms1g -Xmx1g").trim().split("\\s+");
		List<Variant> variants = VariantClient.availableVariants();
		ResultsReport report = new ResultsReport(quick, variants, Instant.now(), loadAverage());
		long start = System.nanoTime();

		Set<String> scenarios = Set.of(System.getProperty("bench.scenarios", ALL_SCENARIOS).split(","));
		if (scenarios.contains("e2e")) {
			report.endToEnd(run(EndToEndBenchmark.class, variants, quick, jvmArgs, quick ? 1 : 2, quick ? 2 : 4, 2));
		}
		if (scenarios.contains("filter")) {
			report.filter(run(FilterBenchmark.class, filterVariants(variants), quick, jvmArgs, 2, quick ? 2 : 4, 1));
		}
		try (BenchmarkServers servers = new BenchmarkServers()) {
			LoadScenarios load = new LoadScenarios(servers, quick);
			if (scenarios.contains("turns")) {
				log("variants taking turns");
				report.interleaved(load.interleaved(variants));
			}
			if (scenarios.contains("burst")) {
				List<BurstResult> bursts = new ArrayList<>();
				for (Variant variant : variants) {
					log("burst " + variant.label());
					bursts.add(load.burst(variant));
				}
				report.bursts(bursts);
			}
			if (scenarios.contains("storm")) {
				List<StormResult> storms = new ArrayList<>();
				for (Variant variant : variants) {
					if (variant != Variant.FIXED_HEADER) {
						log("401 storm " + variant.label());
						storms.add(load.storm(variant));
					}
				}
				report.storms(storms);
			}
			if (scenarios.contains("rollover")) {
				report.rollovers(rollovers(load, variants));
			}
			if (scenarios.contains("redis") && variants.contains(Variant.REDIS)) {
				log("Redis commands per request");
				RedisResult redis = load.redisCommands();
				report.redis(redis);
			}
		}
		report.finish(Instant.now(), loadAverage(), (System.nanoTime() - start) / 1_000_000_000L);
		report.write(output);
		log("wrote " + output.toAbsolutePath());
		// Reactor Netty's global resources keep non-daemon threads alive.
		System.exit(0);
	}

	/**
	 * Quick figures are never to be quoted, so a quick run never replaces the committed report (CI runs one on
	 * every change): it writes {@code target/RESULTS-quick.md} instead.
	 */
	static Path output(String requested, boolean quick) {
		Path path = Path.of(requested);
		if (quick && path.getFileName().toString().equals(RESULTS)) {
			return path.resolveSibling("target").resolve("RESULTS-quick.md");
		}
		return path;
	}

	private static List<RolloverResult> rollovers(LoadScenarios load, List<Variant> variants) throws Exception {
		Settings base = Settings.defaults(64)
			.withRefreshBeforeExpiry(LoadScenarios.REFRESH_BEFORE_EXPIRY, LoadScenarios.REFRESH_BEFORE_EXPIRY);
		Settings ahead = base.withRefreshAhead(LoadScenarios.REFRESH_AHEAD);
		String aheadLabel = "refresh-ahead " + LoadScenarios.REFRESH_AHEAD.toSeconds() + " s";
		List<RolloverResult> results = new ArrayList<>();
		for (Variant variant : variants) {
			log("rollover " + variant.label());
			switch (variant) {
				case FIXED_HEADER -> results.add(load.rollover(variant, "no token calls", base));
				case IN_MEMORY -> {
					results.add(load.rollover(variant, aheadLabel, ahead));
					results.add(load.rollover(variant, "refresh-ahead off", base));
				}
				case REDIS -> results.add(load.rollover(variant, aheadLabel, ahead));
				case SPRING_SECURITY -> results.add(load.rollover(variant,
						"clock-skew " + LoadScenarios.REFRESH_BEFORE_EXPIRY.toSeconds() + " s (no refresh-ahead exists)",
						base));
			}
		}
		return results;
	}

	private static List<String> filterVariants(List<Variant> variants) {
		List<String> ids = new ArrayList<>();
		for (Variant variant : variants) {
			ids.add(variant.id());
			if (variant == Variant.IN_MEMORY || variant == Variant.REDIS) {
				ids.add(variant.id() + FilterBenchmark.AHEAD);
			}
		}
		return ids;
	}

	private static Collection<RunResult> run(Class<?> benchmark, List<?> variants, boolean quick,
			String[] jvmArgs, int warmups, int iterations, int seconds) throws Exception {
		log("JMH " + benchmark.getSimpleName());
		Options options = new OptionsBuilder().include(Pattern.quote(benchmark.getName()) + ".*")
			.param("variant", variants.stream()
				.map((variant) -> (variant instanceof Variant v) ? v.id() : variant.toString())
				.toArray(String[]::new))
			.forks(1)
			.threads(1)
			.warmupIterations(warmups)
			.warmupTime(TimeValue.seconds(quick ? 1 : seconds))
			.measurementIterations(iterations)
			.measurementTime(TimeValue.seconds(quick ? 1 : seconds))
			.jvmArgsAppend(jvmArgs)
			.addProfiler(GCProfiler.class)
			.shouldFailOnError(true)
			.build();
		return new Runner(options).run();
	}

	private static double loadAverage() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

	static void log(String message) {
		System.out.println("# [token-refresh benchmarks] " + message);
	}

}
