package io.github.tokenrefresh.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.DigestUtils;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.util.Assert;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * A {@link TokenStore} in Redis, shared by every instance of a service, so that the fleet holds one token per
 * client and refreshes it once.
 * <ul>
 * <li>Values are versioned JSON, optionally encrypted with AES-GCM; each key gets a TTL covering the access token
 * and, when there is one, the refresh token.</li>
 * <li>Put-if-newer and remove-if-same are Lua scripts comparing the issue time and a SHA-256 fingerprint of the
 * access token, so that a late or timed-out write never moves the stored token backwards; a token that replaces
 * the stored one ({@link #replace}) is written whatever the issue times, so that an instance whose clock is behind
 * another's can still store the successor of a token it refreshed.</li>
 * <li>{@link #refreshExclusively} takes a lease ({@code SET NX PX}) so that one instance calls the token
 * endpoint while the others wait for its notification, bounded by the lease wait. The lease only saves calls:
 * correctness comes from put-if-newer.</li>
 * <li>A near cache serves each instance's last token without a Redis command until a notification on the key's
 * channel says another instance changed it.</li>
 * <li>While Redis does not answer within the command timeout, every operation falls back to the instance's
 * in-memory copy; writes reach Redis again once it answers.</li>
 * <li>Commands go over one connection, obtained when the store is built (in the background when Redis is
 * unreachable then), so that no request waits for a connection lock or a connect.</li>
 * </ul>
 * For a key {@code k} given by the engine (prefix and client name) the store uses the string key {@code k}, the
 * lease key {@code k:lease} and the channel {@code k:events}. Each script touches one key, so the store also
 * works on a Redis Cluster.
 *
 * @see #builder(ReactiveRedisConnectionFactory)
 */
public final class RedisTokenStore implements TokenStore, DisposableBean {

	private static final Log logger = LogFactory.getLog(RedisTokenStore.class);

	private static final String WRITTEN = "OK";

	// KEYS[1] key; ARGV value, issued-at millis, fingerprint, TTL millis, channel, notification, fingerprint of the
	// token replaced ('' for none): its successor is written whatever the issue times (another clock may be ahead).
	private static final RedisScript<String> PUT_IF_NEWER = new LuaScript<>("""
			local ttl = tonumber(ARGV[4])
			local current = redis.call('GET', KEYS[1])
			if current then
				local ok, stored = pcall(cjson.decode, current)
				if ok and type(stored) == 'table' and type(stored.iat) == 'number' then
					local iat = tonumber(ARGV[2])
					local successor = ARGV[7] ~= '' and stored.fp == ARGV[7]
					if not successor and (stored.iat > iat or (stored.iat == iat and stored.fp ~= ARGV[3])) then
						return current
					end
					local remaining = redis.call('PTTL', KEYS[1])
					if remaining > ttl then
						ttl = remaining
					end
					if stored.iat == iat and stored.fp == ARGV[3] then
						redis.call('PEXPIRE', KEYS[1], ttl)
						return 'OK'
					end
				end
			end
			redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
			redis.call('PUBLISH', ARGV[5], ARGV[6])
			return 'OK'
			""", String.class);

	// KEYS[1] key; ARGV fingerprint, channel, notification.
	private static final RedisScript<Long> REMOVE_IF_SAME = new LuaScript<>("""
			local current = redis.call('GET', KEYS[1])
			if not current then
				return 0
			end
			local ok, stored = pcall(cjson.decode, current)
			if ok and type(stored) == 'table' and stored.fp == ARGV[1] then
				redis.call('DEL', KEYS[1])
				redis.call('PUBLISH', ARGV[2], ARGV[3])
				return 1
			end
			return 0
			""", Long.class);

	// KEYS[1] key; ARGV channel, notification.
	private static final RedisScript<Long> REMOVE = new LuaScript<>("""
			local removed = redis.call('DEL', KEYS[1])
			redis.call('PUBLISH', ARGV[1], ARGV[2])
			return removed
			""", Long.class);

	// KEYS[1] lease key; ARGV owner, channel, notification. Redis 6.2 and 7.0 have no compare-and-delete.
	private static final RedisScript<Long> RELEASE = new LuaScript<>("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
				redis.call('DEL', KEYS[1])
				redis.call('PUBLISH', ARGV[2], ARGV[3])
				return 1
			end
			return 0
			""", Long.class);

	private static final String BYPASS_NEAR_CACHE = RedisTokenStore.class.getName() + ".BYPASS_NEAR_CACHE";

	private static final Duration FIRST_POLL = Duration.ofMillis(50);

	private static final Duration LAST_POLL = Duration.ofMillis(500);

	private final StoreConnection connection;

	private final ReactiveStringRedisTemplate redis;

	private final TokenCodec codec;

	private final Duration commandTimeout;

	private final Duration leaseTtl;

	private final Duration leaseWait;

	private final Duration defaultTtl;

	private final Duration refreshTokenTtl;

	private final Clock clock;

	private final Availability availability;

	private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

	private final Disposable.Composite subscriptions = Disposables.composite();

	private final String instance = UUID.randomUUID().toString();

	private final AtomicLong leases = new AtomicLong();

	private RedisTokenStore(Builder builder) {
		// The template asks its factory for a connection per command: give it the store's one (see StoreConnection).
		this.connection = new StoreConnection(builder.connectionFactory);
		this.redis = new ReactiveStringRedisTemplate(this.connection);
		this.codec = new TokenCodec(builder.encryptionKey);
		this.commandTimeout = builder.commandTimeout;
		this.leaseTtl = builder.leaseTtl;
		this.leaseWait = builder.leaseWait;
		this.defaultTtl = builder.defaultTtl;
		this.refreshTokenTtl = builder.refreshTokenTtl;
		this.clock = builder.clock;
		this.availability = new Availability(builder.probeInterval, builder.clock, this::writeBack);
	}

	/**
	 * Start building a store over the given connection factory.
	 * @param connectionFactory the connection factory, typically Spring Boot's Lettuce one
	 * @return a builder
	 */
	public static Builder builder(ReactiveRedisConnectionFactory connectionFactory) {
		return new Builder(connectionFactory);
	}

	@Override
	public Mono<Token> get(String key) {
		Assert.notNull(key, "'key' must not be null");
		return Mono.deferContextual((context) -> {
			Slot slot = slot(key);
			Token cached = key.equals(context.getOrDefault(BYPASS_NEAR_CACHE, null)) ? null : slot.trusted(now());
			return (cached != null) ? Mono.just(cached) : read(slot);
		});
	}

	@Override
	public @Nullable Token getIfCached(String key) {
		Slot slot = this.slots.get(key);
		return (slot != null) ? slot.cached(now()) : null;
	}

	private Mono<Token> read(Slot slot) {
		if (!this.availability.shouldTry()) {
			return Mono.justOrEmpty(slot.fallback());
		}
		// A crowd that finds the near cache distrusted (after another instance's notification) shares one GET.
		return slot.read((generation) -> read(slot, generation));
	}

	private Mono<Token> read(Slot slot, long generation) {
		return command(this.redis.opsForValue().get(slot.key).map(Read::new).defaultIfEmpty(Read.ABSENT))
			.flatMap((read) -> Mono.justOrEmpty(read.value != null ? decoded(slot, read.value, generation)
					: forgotten(slot, generation)))
			.switchIfEmpty(Mono.defer(() -> this.availability.isAvailable() ? Mono.empty()
					: Mono.justOrEmpty(slot.fallback())));
	}

	private @Nullable Token forgotten(Slot slot, long generation) {
		slot.forget(generation);
		return null;
	}

	private @Nullable Token decoded(Slot slot, String value, long generation) {
		try {
			Token token = this.codec.decode(slot.key, value);
			slot.remember(token, TokenCodec.fingerprint(token), generation, trustedUntil(token));
			return token;
		}
		catch (TokenCodec.UnreadableValueException ex) {
			logger.warn("Ignoring the value stored under '" + slot.key + "': " + ex.getMessage());
			return null;
		}
	}

	@Override
	public Mono<Token> put(String key, Token token) {
		return replace(key, null, token);
	}

	@Override
	public Mono<Token> replace(String key, @Nullable Token replaced, Token token) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(token, "'token' must not be null");
		return Mono.defer(() -> {
			Slot slot = slot(key);
			String fingerprint = TokenCodec.fingerprint(token);
			String replacedFingerprint = (replaced != null) ? TokenCodec.fingerprint(replaced) : null;
			if (!this.availability.shouldTry()) {
				return Mono.just(slot.rememberLocally(token, fingerprint, replacedFingerprint, trustedUntil(token)));
			}
			long generation = slot.generation();
			String issuedAt = String.valueOf(token.getIssuedAt().toEpochMilli());
			String ttl = String.valueOf(ttl(token).toMillis());
			List<String> args = List.of(this.codec.encode(key, token), issuedAt, fingerprint, ttl, slot.channel,
					this.codec.putEvent(fingerprint, token), (replacedFingerprint != null) ? replacedFingerprint : "");
			return command(this.redis.execute(PUT_IF_NEWER, List.of(key), args).next())
				.map((result) -> stored(slot, token, fingerprint, generation, result))
				.switchIfEmpty(Mono.fromSupplier(
						() -> slot.rememberLocally(token, fingerprint, replacedFingerprint, trustedUntil(token))));
		});
	}

	private Token stored(Slot slot, Token token, String fingerprint, long generation, String result) {
		if (!WRITTEN.equals(result)) {
			// A token issued later is stored: that one wins.
			Token winner = decoded(slot, result, generation);
			if (winner != null) {
				return winner;
			}
		}
		slot.remember(token, fingerprint, generation, trustedUntil(token));
		return token;
	}

	@Override
	public Mono<Boolean> removeIfSame(String key, Token expected) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(expected, "'expected' must not be null");
		return Mono.defer(() -> {
			Slot slot = slot(key);
			String fingerprint = TokenCodec.fingerprint(expected);
			boolean discarded = slot.discard(fingerprint);
			if (!this.availability.shouldTry()) {
				return Mono.just(discarded);
			}
			List<String> args = List.of(fingerprint, slot.channel, this.codec.removeEvent(fingerprint));
			return command(this.redis.execute(REMOVE_IF_SAME, List.of(key), args).next())
				.map((removed) -> removed == 1L)
				.defaultIfEmpty(discarded);
		});
	}

	@Override
	public Mono<Void> remove(String key) {
		Assert.notNull(key, "'key' must not be null");
		return Mono.defer(() -> {
			Slot slot = slot(key);
			slot.clear();
			if (!this.availability.shouldTry()) {
				return Mono.empty();
			}
			List<String> args = List.of(slot.channel, this.codec.removeEvent(null));
			return command(this.redis.execute(REMOVE, List.of(key), args).next()).then();
		});
	}

	/**
	 * Run the refresh holding the key's fleet-wide lease, or, when another instance holds it, once that instance
	 * stored a token, released the lease, or the lease wait ran out. The refresh re-reads Redis (the near cache
	 * is bypassed for it), so after a wait it finds the other instance's token and makes no call. While Redis is
	 * unreachable this instance acts as the lease holder.
	 */
	@Override
	public Mono<Token> refreshExclusively(String key, Mono<Token> refresh) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(refresh, "'refresh' must not be null");
		// The refresh's re-read must see the newest token in Redis, its refresh token above all (rotation); other
		// requests meanwhile keep the near cache.
		Mono<Token> reading = refresh.contextWrite((context) -> context.put(BYPASS_NEAR_CACHE, key));
		return Mono.defer(() -> exclusively(slot(key), reading, System.nanoTime() + this.leaseWait.toNanos()));
	}

	private Mono<Token> exclusively(Slot slot, Mono<Token> refresh, long deadline) {
		if (!this.availability.shouldTry()) {
			return refresh;
		}
		Slot.Mark mark = slot.mark();
		String owner = this.instance + ":" + this.leases.incrementAndGet();
		return command(this.redis.opsForValue().setIfAbsent(slot.leaseKey, owner, this.leaseTtl))
			.map((acquired) -> acquired ? Lease.HELD : Lease.BUSY)
			.defaultIfEmpty(Lease.LOCAL)
			.flatMap((lease) -> switch (lease) {
				case HELD -> Mono.usingWhen(Mono.just(owner), (held) -> refresh, (held) -> release(slot, held),
						(held, ex) -> release(slot, held), (held) -> release(slot, held));
				case BUSY -> awaitOther(slot, mark, refresh, deadline);
				case LOCAL -> refresh;
			});
	}

	private Mono<Token> awaitOther(Slot slot, Slot.Mark mark, Mono<Token> refresh, long deadline) {
		long remaining = deadline - System.nanoTime();
		if (remaining <= 0) {
			return refresh;
		}
		Mono<Boolean> notified = slot.changedSince(mark).next();
		// Polling covers notifications lost while the channel was not subscribed.
		Mono<Boolean> polled = leaseGone(slot);
		return Mono.firstWithValue(notified, polled)
			.timeout(Duration.ofNanos(remaining), Mono.just(Boolean.TRUE))
			.flatMap((stored) -> stored ? refresh : exclusively(slot, refresh, deadline));
	}

	private Mono<Boolean> leaseGone(Slot slot) {
		return Flux.range(0, Integer.MAX_VALUE)
			.concatMap((attempt) -> Mono.delay(pollDelay(attempt))
				.then(command(this.redis.hasKey(slot.leaseKey)).defaultIfEmpty(Boolean.FALSE)))
			.filter((exists) -> !exists)
			.next()
			.map((gone) -> Boolean.FALSE);
	}

	private static Duration pollDelay(int attempt) {
		Duration delay = FIRST_POLL.multipliedBy(1L << Math.min(attempt, 10));
		return (delay.compareTo(LAST_POLL) < 0) ? delay : LAST_POLL;
	}

	private Mono<Void> release(Slot slot, String owner) {
		List<String> args = List.of(owner, slot.channel, this.codec.releasedEvent());
		return command(this.redis.execute(RELEASE, List.of(slot.leaseKey), args).next()).then();
	}

	/**
	 * Send a command within the command timeout. Completes empty when Redis did not answer, after recording the
	 * outage; every command this store sends emits a value when Redis answers.
	 */
	private <T> Mono<T> command(Mono<T> command) {
		return command.timeout(this.commandTimeout).doOnNext((value) -> this.availability.answered())
			.onErrorResume((ex) -> {
				this.availability.failed(ex);
				return Mono.empty();
			});
	}

	/**
	 * Redis answers again after an outage: notifications may have been missed, so stop trusting the near cache,
	 * and write each token this instance holds (put-if-newer keeps whatever is newer in Redis), so that the fleet
	 * shares one token again.
	 */
	private void writeBack() {
		this.slots.values().forEach((slot) -> {
			slot.distrust();
			Token token = slot.fallback();
			if (token != null) {
				put(slot.key, token).subscribe(null,
						(ex) -> logger.debug("Could not write back the token of '" + slot.key + "'", ex));
			}
		});
	}

	private Slot slot(String key) {
		Slot slot = this.slots.get(key);
		if (slot != null) {
			return slot;
		}
		Slot created = new Slot(key);
		slot = this.slots.putIfAbsent(key, created);
		if (slot != null) {
			return slot;
		}
		listen(created);
		return created;
	}

	private void listen(Slot slot) {
		// Receiving completes when the connection is replaced (see StoreConnection): listen on the new one.
		Disposable subscription = Flux.defer(() -> this.connection.receive(ChannelTopic.of(slot.channel)))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5)))
			.repeatWhen((completions) -> completions.delayElements(Duration.ofMillis(100)))
			.subscribe((message) -> notified(slot, message),
					(ex) -> logger.debug("Stopped listening on '" + slot.channel + "'", ex));
		this.subscriptions.add(subscription);
	}

	private void notified(Slot slot, String message) {
		TokenCodec.Event event = this.codec.readEvent(message);
		if (event == null) {
			return;
		}
		switch (event.type()) {
			case "put" -> slot.onPut(event.fingerprint());
			case "remove" -> slot.onRemove(event.fingerprint());
			case "released" -> slot.onReleased();
			default -> {
				// From a newer version: nothing this one knows how to act on.
			}
		}
	}

	/**
	 * The key's TTL: the access token's remaining lifetime, extended to the refresh token's when there is one.
	 */
	Duration ttl(Token token) {
		Instant now = now();
		Instant expiresAt = token.getExpiresAt();
		Duration ttl = (expiresAt != null) ? Duration.between(now, expiresAt) : this.defaultTtl;
		if (token.getRefreshToken() != null) {
			Instant refreshExpiresAt = token.getRefreshTokenExpiresAt();
			Duration refreshTtl = (refreshExpiresAt != null) ? Duration.between(now, refreshExpiresAt)
					: this.refreshTokenTtl;
			ttl = max(ttl, refreshTtl);
		}
		// Redis refuses a zero TTL, and an expired token is still worth its refresh token for a moment.
		return max(ttl, Duration.ofSeconds(1));
	}

	private Instant trustedUntil(Token token) {
		Instant expiresAt = token.getExpiresAt();
		return (expiresAt != null) ? expiresAt : now().plus(this.defaultTtl);
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

	private Instant now() {
		return this.clock.instant();
	}

	/**
	 * Stop listening for notifications, stop connecting to Redis if still trying, and close this store's
	 * connections.
	 */
	@Override
	public void destroy() {
		this.subscriptions.dispose();
		this.connection.close().subscribe();
	}

	@Override
	public String toString() {
		return "RedisTokenStore[keys=" + this.slots.size() + ", encrypted=" + this.codec.isEncrypting() + ", redis="
				+ (this.availability.isAvailable() ? "available" : "unavailable") + "]";
	}

	/**
	 * A script whose SHA-1 is computed once. Spring's {@code DefaultRedisScript} takes a lock on every execution
	 * to check whether its source changed, so event loops running the same script at once wait for each other.
	 */
	private static final class LuaScript<T> implements RedisScript<T> {

		private final String source;

		private final Class<T> resultType;

		private final String sha1;

		LuaScript(String source, Class<T> resultType) {
			this.source = source;
			this.resultType = resultType;
			this.sha1 = DigestUtils.sha1DigestAsHex(source);
		}

		@Override
		public String getSha1() {
			return this.sha1;
		}

		@Override
		public Class<T> getResultType() {
			return this.resultType;
		}

		@Override
		public String getScriptAsString() {
			return this.source;
		}

	}

	private enum Lease {

		HELD, BUSY, LOCAL

	}

	private record Read(@Nullable String value) {

		static final Read ABSENT = new Read(null);

	}

	/**
	 * Builds a {@link RedisTokenStore}.
	 */
	public static final class Builder {

		private final ReactiveRedisConnectionFactory connectionFactory;

		private byte @Nullable [] encryptionKey;

		private Duration commandTimeout = Duration.ofMillis(500);

		private Duration leaseTtl = Duration.ofSeconds(10);

		private Duration leaseWait = Duration.ofSeconds(5);

		private Duration defaultTtl = Duration.ofHours(1);

		private Duration refreshTokenTtl = Duration.ofHours(8);

		private Duration probeInterval = Duration.ofSeconds(1);

		private Clock clock = Clock.systemUTC();

		private Builder(ReactiveRedisConnectionFactory connectionFactory) {
			Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
			this.connectionFactory = connectionFactory;
		}

		/**
		 * Encrypt stored tokens with AES-GCM under the given 256-bit key; stored as plain JSON by default.
		 * @param encryptionKey the 32-byte key, or {@code null} for none
		 * @return this builder
		 */
		public Builder encryptionKey(byte @Nullable [] encryptionKey) {
			Assert.isTrue(encryptionKey == null || encryptionKey.length == TokenCodec.KEY_BYTES,
					"'encryptionKey' must be 256 bits (32 bytes)");
			this.encryptionKey = (encryptionKey != null) ? encryptionKey.clone() : null;
			return this;
		}

		/**
		 * Set the time budget of each Redis command, after which the in-memory copy is used; 500 ms by default.
		 * @param commandTimeout the budget
		 * @return this builder
		 */
		public Builder commandTimeout(Duration commandTimeout) {
			this.commandTimeout = positive(commandTimeout, "commandTimeout");
			return this;
		}

		/**
		 * Set how long a refresh lease lasts when its holder never releases it; 10 seconds by default.
		 * @param leaseTtl the lease lifetime
		 * @return this builder
		 */
		public Builder leaseTtl(Duration leaseTtl) {
			this.leaseTtl = positive(leaseTtl, "leaseTtl");
			return this;
		}

		/**
		 * Set the longest an instance waits for another's refresh before refreshing itself; 5 seconds by default.
		 * @param leaseWait the wait
		 * @return this builder
		 */
		public Builder leaseWait(Duration leaseWait) {
			this.leaseWait = positive(leaseWait, "leaseWait");
			return this;
		}

		/**
		 * Set the TTL of a token whose expiry is unknown; one hour by default.
		 * @param defaultTtl the TTL
		 * @return this builder
		 */
		public Builder defaultTtl(Duration defaultTtl) {
			this.defaultTtl = positive(defaultTtl, "defaultTtl");
			return this;
		}

		/**
		 * Set how long a refresh token is assumed to live when the token endpoint did not say; 8 hours by
		 * default.
		 * @param refreshTokenTtl the lifetime
		 * @return this builder
		 */
		public Builder refreshTokenTtl(Duration refreshTokenTtl) {
			this.refreshTokenTtl = positive(refreshTokenTtl, "refreshTokenTtl");
			return this;
		}

		/**
		 * Set how often a command is let through while Redis is unreachable, to find out whether it is back;
		 * one second by default.
		 * @param probeInterval the interval
		 * @return this builder
		 */
		public Builder probeInterval(Duration probeInterval) {
			this.probeInterval = positive(probeInterval, "probeInterval");
			return this;
		}

		/**
		 * Set the clock that decides expiry and TTLs; the system UTC clock by default.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			Assert.notNull(clock, "'clock' must not be null");
			this.clock = clock;
			return this;
		}

		public RedisTokenStore build() {
			return new RedisTokenStore(this);
		}

		private static Duration positive(Duration duration, String name) {
			Assert.isTrue(duration != null && !duration.isNegative() && !duration.isZero(),
					"'" + name + "' must be positive");
			return duration;
		}

	}

}
