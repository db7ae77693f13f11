package io.github.tokenrefresh.benchmarks;

import java.net.URI;
import java.time.Duration;
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

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import reactor.core.publisher.Mono;

/**
 * The filter's own cost with the token cached: a stub {@link ExchangeFunction} answers a canned response, so
 * what is left is the filter, its store read and its header. Run with JMH's GC profiler for bytes per request.
 * Variant (a) is a hand-written filter that copies the request with a fixed header: the least any filter does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FilterBenchmark {

	/** A variant's id; {@code -ahead} adds a refresh-ahead window, which the freshness check pays for per request. */
	@Param({ "a", "b", "b-ahead", "c", "c-ahead", "d" })
	public String variant = "a";

	private BenchmarkServers servers;

	private VariantClient client;

	private ExchangeFilterFunction filter;

	private ClientRequest request;

	private volatile String lastAuthorization;

	private final ClientResponse response = ClientResponse.create(HttpStatus.OK).build();

	private final ExchangeFunction stub = (request) -> Mono.just(this.response);

	@Setup(Level.Trial)
	public void setUp() throws Exception {
		this.servers = new BenchmarkServers();
		VariantClient.Settings settings = VariantClient.Settings.defaults(16);
		if (this.variant.endsWith(AHEAD)) {
			settings = settings.withRefreshAhead(Duration.ofSeconds(30));
		}
		this.client = new VariantClient(variant(this.variant), this.servers, settings);
		ExchangeFilterFunction filter = this.client.filter();
		ClientRequest.Builder request = ClientRequest.create(HttpMethod.GET, URI.create(this.servers.resourceUri()));
		if (filter == null) {
			filter = fixedHeaderFilter("Bearer " + this.client.fixedToken());
		}
		this.filter = filter;
		this.request = request.build();
		// One real exchange that records the header: proves each variant sends a token before it is timed.
		this.filter.filter(this.request, (req) -> {
			this.lastAuthorization = req.headers().getFirst(HttpHeaders.AUTHORIZATION);
			return Mono.just(this.response);
		}).block();
		if (this.lastAuthorization == null || !this.lastAuthorization.startsWith("Bearer ")) {
			throw new IllegalStateException("Variant " + this.variant + " sent no bearer token");
		}
	}

	static final String AHEAD = "-ahead";

	static Variant variant(String param) {
		return Variant.of(param.endsWith(AHEAD) ? param.substring(0, param.length() - AHEAD.length()) : param);
	}

	static String label(String param) {
		return variant(param).label() + (param.endsWith(AHEAD) ? ", refresh-ahead 30 s" : "");
	}

	/** The least a filter can do: copy the request with one fixed header, as a hand-written filter would. */
	private static ExchangeFilterFunction fixedHeaderFilter(String authorization) {
		return (request, next) -> next
			.exchange(ClientRequest.from(request).header(HttpHeaders.AUTHORIZATION, authorization).build());
	}

	@Benchmark
	public ClientResponse filter() {
		return this.filter.filter(this.request, this.stub).block();
	}

	@TearDown(Level.Trial)
	public void tearDown() throws Exception {
		this.client.close();
		this.servers.close();
	}

}
