package io.github.tokenrefresh.sample.workload;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats;
import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Api;
import io.github.tokenrefresh.sample.workload.WorkloadReport.ClientReport;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Once the application is ready, runs concurrent workers against the demo API through the {@code orders} and
 * {@code profile} WebClients for {@code demo.workload.duration}, logs one line per second and a summary table.
 */
@Component
@ConditionalOnProperty(name = "demo.workload.enabled", havingValue = "true", matchIfMissing = true)
public final class DemoWorkload implements DisposableBean {

	private static final Log logger = LogFactory.getLog(DemoWorkload.class);

	private final WebClient orders;

	private final WebClient profile;

	private final DemoServerStats server;

	private final WorkloadProperties properties;

	private final Environment environment;

	private final Calls ordersCalls = new Calls("orders");

	private final Calls profileCalls = new Calls("profile");

	private final Sinks.One<WorkloadReport> finished = Sinks.one();

	private volatile @Nullable Disposable running;

	DemoWorkload(@Qualifier("orders") WebClient orders, @Qualifier("profile") WebClient profile,
			DemoServerStats server, WorkloadProperties properties, Environment environment) {
		this.orders = orders;
		this.profile = profile;
		this.server = server;
		this.properties = properties;
		this.environment = environment;
	}

	/**
	 * Return the final report, emitted when the workload has finished.
	 * @return the report
	 */
	public Mono<WorkloadReport> finished() {
		return this.finished.asMono();
	}

	@EventListener(ApplicationReadyEvent.class)
	void start() {
		logger.info("Demo workload: " + this.properties.getWorkers() + " workers per client for "
				+ this.properties.getDuration().toSeconds() + " s, after a first request from each");
		// The first requests of all workers go out together, so the first token is also fetched under concurrency;
		// the clock starts once they are answered, so that a cold JVM does not eat into the measured time.
		this.running = Flux.range(0, this.properties.getWorkers())
			.flatMap((worker) -> Mono.when(call(this.orders, this.ordersCalls, this::orderPath),
					call(this.profile, this.profileCalls, this::profilePath)))
			.then(Mono.defer(this::runFor))
			.subscribe(this::finish);
	}

	private Mono<WorkloadReport> runFor() {
		long startedAt = System.nanoTime();
		Supplier<WorkloadReport> report = () -> report(Duration.ofNanos(System.nanoTime() - startedAt));
		Disposable ticker = Flux.interval(Duration.ofSeconds(1)).subscribe((tick) -> logger.info(report.get().line()));
		return Flux.range(0, this.properties.getWorkers())
			.flatMap((worker) -> Flux.merge(work(this.orders, this.ordersCalls, this::orderPath),
					work(this.profile, this.profileCalls, this::profilePath)))
			.then(Mono.fromSupplier(report))
			.doFinally((signal) -> ticker.dispose());
	}

	private String orderPath() {
		return "/" + ThreadLocalRandom.current().nextInt(1, 1000);
	}

	private String profilePath() {
		return "/me";
	}

	private void finish(WorkloadReport report) {
		logger.info(report.table());
		logger.info("The app keeps serving: curl http://localhost:"
				+ this.environment.getProperty("local.server.port", "8080") + "/profile   (Ctrl+C to stop)");
		this.finished.tryEmitValue(report);
	}

	private Flux<Void> work(WebClient client, Calls calls, Supplier<String> path) {
		return Mono.delay(this.properties.getPause())
			.then(call(client, calls, path))
			.repeat()
			.take(this.properties.getDuration());
	}

	private Mono<Void> call(WebClient client, Calls calls, Supplier<String> path) {
		return Mono.defer(() -> client.get().uri(path.get()).retrieve().toBodilessEntity())
			.doOnNext((response) -> calls.ok.increment())
			.onErrorResume((ex) -> {
				calls.failed(ex);
				return Mono.empty();
			})
			.then();
	}

	private WorkloadReport report(Duration elapsed) {
		return new WorkloadReport(elapsed, this.ordersCalls.report(this.server.snapshot(Api.ORDERS)),
				this.profileCalls.report(this.server.snapshot(Api.PROFILE)));
	}

	@Override
	public void destroy() {
		Disposable running = this.running;
		if (running != null) {
			running.dispose();
		}
	}

	private static final class Calls {

		private final String client;

		final LongAdder ok = new LongAdder();

		final LongAdder failed = new LongAdder();

		final LongAdder failedUnauthorized = new LongAdder();

		Calls(String client) {
			this.client = client;
		}

		void failed(Throwable ex) {
			this.failed.increment();
			if (ex instanceof WebClientResponseException.Unauthorized) {
				this.failedUnauthorized.increment();
			}
			// Only the first few: a misconfigured client would otherwise flood the console.
			if (this.failed.sum() <= 3) {
				logger.warn("Request through the '" + this.client + "' WebClient failed: " + ex);
			}
		}

		ClientReport report(DemoServerStats.Snapshot server) {
			return new ClientReport(this.ok.sum(), this.failed.sum(), this.failedUnauthorized.sum(), server);
		}

	}

}
