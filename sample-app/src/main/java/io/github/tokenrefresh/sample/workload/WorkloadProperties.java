package io.github.tokenrefresh.sample.workload;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the demo workload.
 */
@ConfigurationProperties("demo.workload")
public final class WorkloadProperties {

	/**
	 * Whether the workload runs when the application is ready.
	 */
	private boolean enabled = true;

	/**
	 * How long the workload runs.
	 */
	private Duration duration = Duration.ofSeconds(30);

	/**
	 * Concurrent workers per client.
	 */
	private int workers = 4;

	/**
	 * Pause of each worker between two requests.
	 */
	private Duration pause = Duration.ofMillis(20);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Duration getDuration() {
		return this.duration;
	}

	public void setDuration(Duration duration) {
		this.duration = duration;
	}

	public int getWorkers() {
		return this.workers;
	}

	public void setWorkers(int workers) {
		this.workers = workers;
	}

	public Duration getPause() {
		return this.pause;
	}

	public void setPause(Duration pause) {
		this.pause = pause;
	}

}
