package io.github.tokenrefresh.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One GET over loopback per operation, with the token cached: throughput and the latency distribution of each
 * variant. JMH runs each variant in a fork of its own, with the same servers started in each fork.
 */
@State(Scope.Benchmark)
@BenchmarkMode({ Mode.Throughput, Mode.SampleTime })
public class EndToEndBenchmark {

	@Param({ "a", "b", "c", "d" })
	public String variant = "a";

	private BenchmarkServers servers;

	private VariantClient client;

	@Setup(Level.Trial)
	public void setUp() throws Exception {
		this.servers = new BenchmarkServers();
		this.client = new VariantClient(Variant.of(this.variant), this.servers,
				VariantClient.Settings.defaults(16));
		Integer status = this.client.get().block();
		if (status == null || status != 200) {
			throw new IllegalStateException("Variant " + this.variant + " answered " + status);
		}
	}

	@Benchmark
	@OutputTimeUnit(TimeUnit.SECONDS)
	public Integer request() {
		return this.client.get().block();
	}

	@TearDown(Level.Trial)
	public void tearDown() throws Exception {
		this.client.close();
		this.servers.close();
	}

}
