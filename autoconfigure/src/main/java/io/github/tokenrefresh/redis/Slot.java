package io.github.tokenrefresh.redis;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

import io.github.tokenrefresh.core.Token;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * What one instance knows about one key: the near-cache entry, the last token seen (the fallback while Redis is
 * unreachable), and counters of the notifications that lease waiters wake on.
 * <p>
 * A token is <em>trusted</em> (served without a Redis call) only while no notification has said that Redis
 * holds something else. A read that started before such a notification must not cache what it read, so every
 * notification bumps a generation that a read compares on completion; the one exception is a read of exactly
 * the token the latest {@code put} notification announced.
 */
final class Slot {

	final String key;

	final String channel;

	final String leaseKey;

	// Read on every request without a lock; replaced whole under the lock.
	private volatile Entry entry = Entry.EMPTY;

	private long generation;

	private @Nullable String announced;

	private final AtomicLong puts = new AtomicLong();

	private final AtomicLong releases = new AtomicLong();

	private final Sinks.Many<Boolean> signals = Sinks.many().multicast().directBestEffort();

	// The read of Redis in flight, shared by callers of the same generation; guarded by this.
	private @Nullable Reading reading;

	Slot(String key) {
		this.key = key;
		this.channel = key + ":events";
		this.leaseKey = key + ":lease";
	}

	@Nullable Token trusted(Instant now) {
		Entry entry = this.entry;
		return (entry.trusted() && now.isBefore(entry.trustedUntil())) ? entry.token() : null;
	}

	/**
	 * Return the token for the engine's fast path: a trusted one, also past its expiry (the engine then refreshes
	 * through {@code refreshExclusively}, whose re-read goes to Redis), so that a crowd of requests for an expired
	 * token makes no Redis call each.
	 */
	@Nullable Token cached(Instant now) {
		Entry entry = this.entry;
		Token token = entry.token();
		if (!entry.trusted() || token == null) {
			return null;
		}
		return (now.isBefore(entry.trustedUntil()) || token.getExpiresAt() != null) ? token : null;
	}

	@Nullable Token fallback() {
		return this.entry.token();
	}

	synchronized long generation() {
		return this.generation;
	}

	/**
	 * Read Redis through {@code reader} (given the generation the read starts at), or join the read in flight if
	 * it started at the current generation: one that started before a notification may return what the
	 * notification replaced. The read is subscribed here, so a caller that cancels leaves it to the others, and
	 * it runs with an empty Reactor context.
	 */
	Mono<Token> read(LongFunction<Mono<Token>> reader) {
		Reading started;
		synchronized (this) {
			Reading current = this.reading;
			if (current != null && current.generation() == this.generation) {
				return current.outcome().asMono();
			}
			started = new Reading(this.generation, Sinks.one());
			this.reading = started;
		}
		Sinks.One<Token> outcome = started.outcome();
		// Throwable: an Error thrown while the read starts must not leave it in flight for every later caller.
		try {
			reader.apply(started.generation()).subscribe((token) -> {
				finished(started);
				outcome.tryEmitValue(token);
			}, (ex) -> {
				finished(started);
				outcome.tryEmitError(ex);
			}, () -> {
				finished(started);
				outcome.tryEmitEmpty();
			});
		}
		catch (Throwable ex) {
			finished(started);
			outcome.tryEmitError(ex);
		}
		return outcome.asMono();
	}

	private synchronized void finished(Reading done) {
		if (this.reading == done) {
			this.reading = null;
		}
	}

	/**
	 * Remember a token read from or written to Redis, unless a notification since {@code generation} says that
	 * Redis now holds a different one.
	 */
	synchronized void remember(Token token, String fingerprint, long generation, Instant trustedUntil) {
		if (this.generation == generation || fingerprint.equals(this.announced)) {
			this.entry = new Entry(token, fingerprint, true, trustedUntil);
		}
	}

	/**
	 * Keep a token written while Redis is unreachable, as Redis would: put-if-newer, unless it replaces the token
	 * held ({@code replaced}, the fingerprint of the token it was obtained to replace, or {@code null}).
	 */
	synchronized Token rememberLocally(Token candidate, String fingerprint, @Nullable String replaced,
			Instant trustedUntil) {
		Token current = this.entry.token();
		boolean successor = replaced != null && replaced.equals(this.entry.fingerprint());
		if (current != null && !successor && current.getIssuedAt().isAfter(candidate.getIssuedAt())) {
			return current;
		}
		this.entry = new Entry(candidate, fingerprint, true, trustedUntil);
		return candidate;
	}

	/**
	 * Stop serving the token without asking Redis, but keep it as the fallback.
	 */
	synchronized void distrust() {
		this.entry = this.entry.distrusted();
		this.generation++;
	}

	/**
	 * Redis holds nothing under the key (as of a read that started at {@code generation}).
	 */
	synchronized void forget(long generation) {
		if (this.generation == generation) {
			this.entry = Entry.EMPTY;
		}
	}

	/**
	 * Drop the token if it carries the given fingerprint: it was rejected.
	 * @return whether it was dropped
	 */
	synchronized boolean discard(String fingerprint) {
		if (fingerprint.equals(this.entry.fingerprint())) {
			this.entry = Entry.EMPTY;
			this.generation++;
			return true;
		}
		return false;
	}

	synchronized void clear() {
		this.entry = Entry.EMPTY;
		this.generation++;
	}

	void onPut(@Nullable String fingerprint) {
		synchronized (this) {
			this.announced = fingerprint;
			if (fingerprint == null || !fingerprint.equals(this.entry.fingerprint())) {
				this.entry = this.entry.distrusted();
				this.generation++;
			}
		}
		this.puts.incrementAndGet();
		this.signals.tryEmitNext(Boolean.TRUE);
	}

	void onRemove(@Nullable String fingerprint) {
		synchronized (this) {
			this.announced = null;
			this.entry = (fingerprint == null || fingerprint.equals(this.entry.fingerprint())) ? Entry.EMPTY
					: this.entry.distrusted();
			this.generation++;
		}
		this.releases.incrementAndGet();
		this.signals.tryEmitNext(Boolean.TRUE);
	}

	void onReleased() {
		this.releases.incrementAndGet();
		this.signals.tryEmitNext(Boolean.TRUE);
	}

	Mark mark() {
		return new Mark(this.puts.get(), this.releases.get());
	}

	/**
	 * Signal once something happened since {@code mark}: {@code true} when a token was stored, {@code false}
	 * when the lease was released or the token removed without a new one.
	 */
	Flux<Boolean> changedSince(Mark mark) {
		// Subscribe to the signals first and then check the counters, so that nothing falls in between.
		return Flux.merge(this.signals.asFlux(), Flux.just(Boolean.TRUE))
			.filter((signal) -> this.puts.get() != mark.puts() || this.releases.get() != mark.releases())
			.map((signal) -> this.puts.get() != mark.puts())
			.take(1);
	}

	record Mark(long puts, long releases) {
	}

	private record Reading(long generation, Sinks.One<Token> outcome) {
	}

	private record Entry(@Nullable Token token, @Nullable String fingerprint, boolean trusted, Instant trustedUntil) {

		static final Entry EMPTY = new Entry(null, null, false, Instant.MIN);

		Entry distrusted() {
			return new Entry(this.token, this.fingerprint, false, this.trustedUntil);
		}

	}

}
