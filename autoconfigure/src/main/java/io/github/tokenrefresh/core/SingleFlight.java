package io.github.tokenrefresh.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Runs at most one unit of work per key at a time; callers that arrive while it runs share its outcome.
 * <p>
 * The work is subscribed on its own, not by any caller: a caller that cancels leaves it running for the
 * others ({@code share()} would cancel it with its last subscriber), and its error is delivered once rather
 * than cached forever ({@code cache()}). The slot is cleared before the outcome is published, so a caller
 * woken by it that needs another run starts a new one. The work runs with an empty Reactor context.
 */
final class SingleFlight<K, V> {

	private final ConcurrentMap<K, Mono<V>> inFlight = new ConcurrentHashMap<>();

	Mono<V> run(K key, Supplier<Mono<V>> work) {
		return Mono.defer(() -> join(key, work));
	}

	private Mono<V> join(K key, Supplier<Mono<V>> work) {
		Mono<V> running = this.inFlight.get(key);
		if (running != null) {
			return running;
		}
		Sinks.One<V> outcome = Sinks.one();
		Mono<V> shared = outcome.asMono();
		running = this.inFlight.putIfAbsent(key, shared);
		if (running != null) {
			return running;
		}
		start(key, shared, outcome, work);
		return shared;
	}

	private void start(K key, Mono<V> shared, Sinks.One<V> outcome, Supplier<Mono<V>> work) {
		// Throwable, not RuntimeException: an Error (a NoClassDefFoundError in a user's source or store) thrown
		// while the work is built or subscribed would otherwise leave the slot occupied and every later caller
		// waiting on it for good. Reactor rethrows such errors from subscribe rather than signal them.
		try {
			work.get().subscribe((value) -> {
				this.inFlight.remove(key, shared);
				outcome.tryEmitValue(value);
			}, (error) -> {
				this.inFlight.remove(key, shared);
				outcome.tryEmitError(error);
			}, () -> {
				// After a value this is a no-op; for an empty run it releases the waiters.
				this.inFlight.remove(key, shared);
				outcome.tryEmitEmpty();
			});
		}
		catch (Throwable ex) {
			this.inFlight.remove(key, shared);
			outcome.tryEmitError(ex);
		}
	}

	boolean isRunning(K key) {
		return this.inFlight.containsKey(key);
	}

	int size() {
		return this.inFlight.size();
	}

}
