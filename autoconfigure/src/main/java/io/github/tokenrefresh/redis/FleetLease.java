package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * The fleet-wide refresh lease of each key: one instance refreshes while the others wait for its result, so that
 * a rotating refresh token is presented once by the whole fleet.
 * <ul>
 * <li>The lease ({@code SET NX PX}) is renewed every third of its lifetime while its holder refreshes, however long
 * the token endpoint takes, and taken again when it vanished meanwhile (Redis restarted).</li>
 * <li>An instance that finds the lease held never refreshes: it waits for the holder's notification or for the
 * lease to disappear (released, or expired because the holder is gone), then tries to take the lease itself;
 * the refresh it then runs re-reads Redis, so it finds the holder's token and makes no call.</li>
 * <li>The refresh runs with its owner in the Reactor context, so that the write of its result is fenced
 * ({@link StoreScripts#PUT}).</li>
 * <li>While Redis is unreachable there is no lease: a token without a refresh token is obtained locally (a login
 * spends nothing), but a refresh token is never presented: the current token is served while it is valid, and
 * otherwise the instance waits for Redis.</li>
 * </ul>
 */
final class FleetLease {

	private static final Log logger = LogFactory.getLog(RedisTokenStore.class);

	/** Context key of the {@link Held} lease a refresh runs under. */
	static final String HELD = FleetLease.class.getName() + ".HELD";

	private static final Duration FIRST_POLL = Duration.ofMillis(50);

	private static final Duration LAST_POLL = Duration.ofMillis(500);

	private final ReactiveStringRedisTemplate redis;

	private final StoreCommands commands;

	private final TokenCodec codec;

	private final Duration ttl;

	private final Duration wait;

	private final Duration probeInterval;

	private final Clock clock;

	private final String instance = UUID.randomUUID().toString();

	private final AtomicLong leases = new AtomicLong();

	private final Disposable.Composite renewals = Disposables.composite();

	private final Object drained = new Object();

	private int holding;

	FleetLease(ReactiveStringRedisTemplate redis, StoreCommands commands, TokenCodec codec, Duration ttl,
			Duration wait, Duration probeInterval, Clock clock) {
		this.redis = redis;
		this.commands = commands;
		this.codec = codec;
		this.ttl = ttl;
		this.wait = wait;
		this.probeInterval = probeInterval;
		this.clock = clock;
	}

	/**
	 * Run {@code refresh} holding the slot's lease, once no other instance holds it.
	 */
	Mono<Token> exclusively(Slot slot, Mono<Token> refresh) {
		return Mono.defer(() -> attempt(slot, refresh, System.nanoTime() + this.wait.toNanos()));
	}

	private Mono<Token> attempt(Slot slot, Mono<Token> refresh, long deadline) {
		if (!this.commands.shouldTry()) {
			return unreachable(slot, refresh, deadline);
		}
		Slot.Mark mark = slot.mark();
		String owner = this.instance + ":" + this.leases.incrementAndGet();
		return this.commands.send(this.redis.opsForValue().setIfAbsent(slot.leaseKey, owner, this.ttl))
			.map((acquired) -> acquired ? State.HELD : State.BUSY)
			.defaultIfEmpty(State.UNREACHABLE)
			.flatMap((state) -> switch (state) {
				case HELD -> holding(slot, owner, refresh);
				case BUSY -> awaitHolder(slot, mark, refresh, deadline);
				case UNREACHABLE -> unreachable(slot, refresh, deadline);
			});
	}

	private Mono<Token> holding(Slot slot, String owner, Mono<Token> refresh) {
		return Mono.usingWhen(Mono.fromSupplier(() -> hold(slot, owner)),
				(renewal) -> refresh.contextWrite((context) -> context.put(HELD, new Held(slot.key, owner))),
				(renewal) -> release(slot, owner, renewal), (renewal, ex) -> release(slot, owner, renewal),
				(renewal) -> release(slot, owner, renewal));
	}

	private Disposable hold(Slot slot, String owner) {
		synchronized (this.drained) {
			this.holding++;
		}
		List<String> args = List.of(owner, String.valueOf(this.ttl.toMillis()));
		Disposable renewal = Flux.interval(this.ttl.dividedBy(3))
			.concatMap((tick) -> this.commands
				.send(this.redis.execute(StoreScripts.RENEW, List.of(slot.leaseKey), args).next()))
			.subscribe((held) -> {
				if (held == 0L) {
					logger.debug("The refresh lease of '" + slot.key + "' was taken over; the result of this "
							+ "instance's refresh is stored only if it still replaces the stored token");
				}
			}, (ex) -> logger.debug("Stopped renewing the refresh lease of '" + slot.key + "'", ex));
		this.renewals.add(renewal);
		return renewal;
	}

	private Mono<Void> release(Slot slot, String owner, Disposable renewal) {
		renewal.dispose();
		this.renewals.remove(renewal);
		List<String> args = List.of(owner, slot.channel, this.codec.releasedEvent());
		return this.commands.send(this.redis.execute(StoreScripts.RELEASE, List.of(slot.leaseKey), args).next())
			.then()
			.doFinally((signal) -> released());
	}

	private void released() {
		synchronized (this.drained) {
			this.holding--;
			this.drained.notifyAll();
		}
	}

	private Mono<Token> awaitHolder(Slot slot, Slot.Mark mark, Mono<Token> refresh, long deadline) {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			return Mono.error(() -> TokenAcquisitionException.failed(slot.key, null, null,
					"another instance still holds the refresh lease after the lease wait (" + this.wait
							+ "); it renews it while it refreshes",
					null));
		}
		Mono<Boolean> notified = slot.changedSince(mark).next();
		// Polling covers notifications lost while the channel was not subscribed, and holders that are gone.
		Mono<Boolean> polled = leaseGone(slot);
		return Mono.firstWithValue(notified, polled)
			.timeout(Duration.ofNanos(remaining), Mono.just(Boolean.TRUE))
			.flatMap((changed) -> attempt(slot, refresh, deadline));
	}

	private Mono<Boolean> leaseGone(Slot slot) {
		return Flux.range(0, Integer.MAX_VALUE)
			.concatMap((attempt) -> Mono.delay(pollDelay(attempt))
				.then(this.commands.send(this.redis.hasKey(slot.leaseKey)).defaultIfEmpty(Boolean.FALSE)))
			.filter((exists) -> !exists)
			.next();
	}

	private static Duration pollDelay(int attempt) {
		Duration delay = FIRST_POLL.multipliedBy(1L << Math.min(attempt, 10));
		return (delay.compareTo(LAST_POLL) < 0) ? delay : LAST_POLL;
	}

	/**
	 * Redis does not answer, so no lease can be taken. Another instance may be presenting the refresh token this
	 * very moment: never present it without the lease.
	 */
	private Mono<Token> unreachable(Slot slot, Mono<Token> refresh, long deadline) {
		Token known = slot.fallback();
		if (known == null || known.getRefreshToken() == null) {
			return refresh;
		}
		Instant expiresAt = known.getExpiresAt();
		if (expiresAt == null || this.clock.instant().isBefore(expiresAt)) {
			return Mono.just(known);
		}
		if (System.nanoTime() >= deadline) {
			return Mono.error(() -> TokenAcquisitionException.failed(slot.key, null, null,
					"Redis did not answer within the lease wait (" + this.wait + "), and a refresh token is not "
							+ "presented without the fleet's refresh lease",
					null));
		}
		return Mono.delay(this.probeInterval).then(Mono.defer(() -> attempt(slot, refresh, deadline)));
	}

	/**
	 * Wait, at most {@code timeout}, until no refresh of this instance holds a lease: a refresh abandoned in
	 * flight may have spent its refresh token at the server without its result reaching the store.
	 */
	void drain(Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		synchronized (this.drained) {
			while (this.holding > 0) {
				long remaining = deadline - System.nanoTime();
				if (remaining <= 0) {
					logger.warn(this.holding + " token refresh(es) still running at shutdown after " + timeout
							+ "; their results will not reach Redis");
					return;
				}
				try {
					this.drained.wait(Math.max(1, remaining / 1_000_000));
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	void dispose() {
		this.renewals.dispose();
	}

	/** A lease held by {@code owner} for {@code key}. */
	record Held(String key, String owner) {
	}

	private enum State {

		HELD, BUSY, UNREACHABLE

	}

}
