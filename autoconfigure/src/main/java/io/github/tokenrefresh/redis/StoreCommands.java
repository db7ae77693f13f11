package io.github.tokenrefresh.redis;

import java.time.Duration;

import reactor.core.publisher.Mono;

/**
 * Sends the store's commands within the command timeout and tells {@link Availability} how Redis answered.
 */
final class StoreCommands {

	private final Duration timeout;

	private final Availability availability;

	StoreCommands(Duration timeout, Availability availability) {
		this.timeout = timeout;
		this.availability = availability;
	}

	/**
	 * Send a command within the command timeout. Completes empty when Redis did not answer, after recording the
	 * outage; every command this store sends emits a value when Redis answers.
	 */
	<T> Mono<T> send(Mono<T> command) {
		return command.timeout(this.timeout).doOnNext((value) -> this.availability.answered()).onErrorResume((ex) -> {
			this.availability.failed(ex);
			return Mono.empty();
		});
	}

	boolean shouldTry() {
		return this.availability.shouldTry();
	}

	boolean isAvailable() {
		return this.availability.isAvailable();
	}

}
