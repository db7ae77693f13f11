package io.github.tokenrefresh.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenStore;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.util.Assert;
import reactor.core.publisher.Mono;

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
 * <li>{@link #refreshExclusively} takes a lease ({@code SET NX PX}), renewed while its holder refreshes, so that
 * one instance calls the token endpoint while the others wait for its result: a rotating refresh token is presented
 * once by the whole fleet ({@link FleetLease}). The write of a refreshed token is fenced by the lease.</li>
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

	private static final String BYPASS_NEAR_CACHE = RedisTokenStore.class.getName() + ".BYPASS_NEAR_CACHE";

	private final StoreConnection connection;

	private final ReactiveStringRedisTemplate redis;

	private final TokenCodec codec;

	private final Duration leaseWait;

	private final Duration defaultTtl;

	private final Duration refreshTokenTtl;

	private final Clock clock;

	private final Availability availability;

	private final StoreCommands commands;

	private final FleetLease lease;

	private final Notifications notifications;

	private final ConcurrentMap<String, Slot> slots = new ConcurrentHashMap<>();

	// Key → fingerprint of the unexpired stored value this instance cannot read, which it must not overwrite.
	private final ConcurrentMap<String, String> unreadable = new ConcurrentHashMap<>();

	private RedisTokenStore(Builder builder) {
		// The template asks its factory for a connection per command: give it the store's one (see StoreConnection).
		this.connection = new StoreConnection(builder.connectionFactory);
		this.redis = new ReactiveStringRedisTemplate(this.connection);
		this.codec = new TokenCodec(builder.encryptionKeys);
		this.leaseWait = builder.leaseWait;
		this.defaultTtl = builder.defaultTtl;
		this.refreshTokenTtl = builder.refreshTokenTtl;
		this.clock = builder.clock;
		this.availability = new Availability(builder.probeInterval, builder.clock, this::writeBack);
		this.commands = new StoreCommands(builder.commandTimeout, this.availability);
		this.lease = new FleetLease(this.redis, this.commands, this.codec, builder.leaseTtl, builder.leaseWait,
				builder.probeInterval, builder.clock);
		this.notifications = new Notifications(this.connection, this.codec);
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
		return this.commands.send(this.redis.opsForValue().get(slot.key).map(Read::new).defaultIfEmpty(Read.ABSENT))
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
			this.unreadable.remove(slot.key);
			slot.remember(token, TokenCodec.fingerprint(token), generation, trustedUntil(token));
			if (this.codec.isEncryptedWithAnOlderKey(value)) {
				rewrap(slot, token);
			}
			return token;
		}
		catch (TokenCodec.UnreadableValueException ex) {
			return unreadable(slot, ex);
		}
	}

	/**
	 * A value this instance cannot read (another encryption key during a rolling rotation, a newer codec during a
	 * rolling upgrade) is not absent: while it has not expired, the instances that can read it use it. This one
	 * uses its own copy (or obtains one) and never overwrites it; it says so once per key, not per request.
	 */
	private @Nullable Token unreadable(Slot slot, TokenCodec.UnreadableValueException ex) {
		Instant expiresAt = ex.expiresAt();
		String fingerprint = ex.fingerprint();
		boolean unexpired = fingerprint != null && (expiresAt == null || now().isBefore(expiresAt));
		String previous = unexpired ? this.unreadable.put(slot.key, fingerprint) : this.unreadable.remove(slot.key);
		if (previous == null && unexpired) {
			logger.warn("This instance cannot read the token stored under '" + slot.key + "' (" + ex.getMessage()
					+ "); it uses a token of its own and leaves the stored one to the instances that can read it");
		}
		return unexpired ? slot.fallback() : null;
	}

	/**
	 * Write a token read under an older encryption key again under the current one, so that instances that keep
	 * only the current key can read it once the rotation is over.
	 */
	private void rewrap(Slot slot, Token token) {
		List<String> args = List.of(TokenCodec.fingerprint(token), this.codec.encode(slot.key, token));
		this.commands.send(this.redis.execute(StoreScripts.REWRAP, List.of(slot.key), args).next())
			.subscribe(null, (ex) -> logger.debug("Could not re-encrypt the token of '" + slot.key + "'", ex));
	}

	@Override
	public Mono<Token> put(String key, Token token) {
		return replace(key, null, token);
	}

	/**
	 * {@inheritDoc} A refresh run through {@link #refreshExclusively} is fenced by its lease: when another
	 * instance took the lease over meanwhile, the result lands only if it replaces the stored token.
	 */
	@Override
	public Mono<Token> replace(String key, @Nullable Token replaced, Token token) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(token, "'token' must not be null");
		return Mono.deferContextual((context) -> {
			FleetLease.Held held = context.getOrDefault(FleetLease.HELD, null);
			String owner = (held != null && held.key().equals(key)) ? held.owner() : "";
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
					this.codec.putEvent(fingerprint, token), (replacedFingerprint != null) ? replacedFingerprint : "",
					owner, this.unreadable.getOrDefault(key, ""), String.valueOf(now().toEpochMilli()));
			return this.commands.send(this.redis.execute(StoreScripts.PUT, List.of(key, slot.leaseKey), args).next())
				.map((result) -> stored(slot, token, fingerprint, generation, result))
				.switchIfEmpty(Mono.fromSupplier(
						() -> slot.rememberLocally(token, fingerprint, replacedFingerprint, trustedUntil(token))));
		});
	}

	private Token stored(Slot slot, Token token, String fingerprint, long generation, String result) {
		if (!StoreScripts.WRITTEN.equals(result)) {
			// A token issued later is stored: that one wins, unless this instance cannot read it (then its own does).
			Token winner = readable(slot, result, generation);
			if (winner != null) {
				return winner;
			}
		}
		slot.remember(token, fingerprint, generation, trustedUntil(token));
		return token;
	}

	private @Nullable Token readable(Slot slot, String value, long generation) {
		try {
			Token token = this.codec.decode(slot.key, value);
			slot.remember(token, TokenCodec.fingerprint(token), generation, trustedUntil(token));
			return token;
		}
		catch (TokenCodec.UnreadableValueException ex) {
			unreadable(slot, ex);
			return null;
		}
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
			return this.commands.send(this.redis.execute(StoreScripts.REMOVE_IF_SAME, List.of(key), args).next())
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
			return this.commands.send(this.redis.execute(StoreScripts.REMOVE, List.of(key), args).next()).then();
		});
	}

	/**
	 * Run the refresh holding the key's fleet-wide lease, renewed while it runs; when another instance holds it,
	 * wait until that instance stored its token or is gone, then take the lease. The refresh re-reads Redis (the
	 * near cache is bypassed for it), so after a wait it finds the other instance's token and makes no call. A
	 * refresh token is never presented without the lease (see {@link FleetLease}).
	 */
	@Override
	public Mono<Token> refreshExclusively(String key, Mono<Token> refresh) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(refresh, "'refresh' must not be null");
		// The refresh's re-read must see the newest token in Redis, its refresh token above all (rotation); other
		// requests meanwhile keep the near cache.
		Mono<Token> reading = refresh.contextWrite((context) -> context.put(BYPASS_NEAR_CACHE, key));
		return Mono.defer(() -> this.lease.exclusively(slot(key), reading));
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
		this.notifications.listen(created);
		return created;
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

	Duration leaseWait() {
		return this.leaseWait;
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
		// A refresh abandoned in flight may have spent its refresh token at the server: let it store its result.
		this.lease.drain(this.leaseWait);
		this.lease.dispose();
		this.notifications.dispose();
		this.connection.close().subscribe();
	}

	@Override
	public String toString() {
		return "RedisTokenStore[keys=" + this.slots.size() + ", encrypted=" + this.codec.isEncrypting() + ", redis="
				+ (this.availability.isAvailable() ? "available" : "unavailable") + "]";
	}

	private record Read(@Nullable String value) {

		static final Read ABSENT = new Read(null);

	}

	/**
	 * Builds a {@link RedisTokenStore}.
	 */
	public static final class Builder {

		private final ReactiveRedisConnectionFactory connectionFactory;

		private List<byte[]> encryptionKeys = List.of();

		private Duration commandTimeout = Duration.ofMillis(500);

		private Duration leaseTtl = Duration.ofSeconds(10);

		private Duration leaseWait = Duration.ofMinutes(1);

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
			return encryptionKeys((encryptionKey != null) ? List.of(encryptionKey) : List.of());
		}

		/**
		 * Encrypt stored tokens with AES-GCM under the first of the given 256-bit keys, and read values encrypted
		 * with any of them (each value names its key by a key id), for a rolling key rotation: old, then new and
		 * old, then new. Values read under an older key are written again under the first.
		 * @param encryptionKeys the 32-byte keys, the one to encrypt with first; empty for none
		 * @return this builder
		 */
		public Builder encryptionKeys(List<byte[]> encryptionKeys) {
			Assert.notNull(encryptionKeys, "'encryptionKeys' must not be null");
			Assert.isTrue(encryptionKeys.stream().allMatch((key) -> key != null && key.length == TokenCodec.KEY_BYTES),
					"'encryptionKey' must be 256 bits (32 bytes)");
			this.encryptionKeys = encryptionKeys.stream().map(byte[]::clone).toList();
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
		 * Set how long a refresh lease lasts when its holder stops renewing it (it renews it every third of this
		 * while it refreshes); 10 seconds by default.
		 * @param leaseTtl the lease lifetime
		 * @return this builder
		 */
		public Builder leaseTtl(Duration leaseTtl) {
			this.leaseTtl = positive(leaseTtl, "leaseTtl");
			return this;
		}

		/**
		 * Set the longest an instance waits for another instance's refresh (or for Redis, when it must not refresh
		 * without the lease) before failing; also how long {@link #destroy()} lets a refresh in flight finish. One
		 * minute by default: it must outlast the token endpoint's timeout times its attempts, plus backoff.
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
