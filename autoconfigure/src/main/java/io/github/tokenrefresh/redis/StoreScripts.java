package io.github.tokenrefresh.redis;

import org.springframework.data.redis.core.script.DigestUtils;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The Lua scripts of the Redis token store. Each runs atomically on one server and touches only a key and its
 * lease key, which share a hash slot (see {@link Slot}), so they also run on a Redis Cluster. Redis 6.2 and 7.0
 * have no compare-and-delete (DELEX), hence scripts for every conditional write.
 */
final class StoreScripts {

	static final String WRITTEN = "OK";

	/**
	 * Put-if-newer, fenced. KEYS[1] key, KEYS[2] lease key; ARGV value, issued-at millis, fingerprint, TTL millis,
	 * channel, notification, fingerprint of the token replaced ('' for none), lease owner ('' when the write is
	 * not a refresh under the lease), fingerprint of a stored value the writer cannot read ('' for none), the
	 * writer's time in millis.
	 * <ul>
	 * <li>An unexpired value the writer cannot read (another encryption key, a newer codec) is never overwritten:
	 * the instances that can read it keep using it.</li>
	 * <li>The successor of the stored token is written whatever the issue times (another clock may be ahead).</li>
	 * <li>A refresh whose writer no longer holds its lease lands only as that successor: otherwise the stored
	 * token was written by whoever held the lease after it, and wins.</li>
	 * <li>Otherwise the later issue time wins, so a late write never moves the stored token backwards.</li>
	 * </ul>
	 * Returns {@code OK} when written, else the stored value that won.
	 */
	static final RedisScript<String> PUT = new LuaScript<>("""
			local ttl = tonumber(ARGV[4])
			local current = redis.call('GET', KEYS[1])
			if current then
				local ok, stored = pcall(cjson.decode, current)
				if ok and type(stored) == 'table' and type(stored.iat) == 'number' then
					if ARGV[9] ~= '' and stored.fp == ARGV[9]
							and (type(stored.exp) ~= 'number' or stored.exp > tonumber(ARGV[10])) then
						return current
					end
					local iat = tonumber(ARGV[2])
					local successor = ARGV[7] ~= '' and stored.fp == ARGV[7]
					if not successor and ARGV[8] ~= '' and stored.fp ~= ARGV[3]
							and redis.call('GET', KEYS[2]) ~= ARGV[8] then
						return current
					end
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

	/**
	 * KEYS[1] key; ARGV fingerprint, value. Writes the same token again (encrypted with the current key) if it is
	 * still the stored one, keeping its TTL; no notification, since the token did not change. Returns 1 when written.
	 */
	static final RedisScript<Long> REWRAP = new LuaScript<>("""
			local current = redis.call('GET', KEYS[1])
			if not current then
				return 0
			end
			local ok, stored = pcall(cjson.decode, current)
			if ok and type(stored) == 'table' and stored.fp == ARGV[1] then
				redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
				return 1
			end
			return 0
			""", Long.class);

	/** KEYS[1] key; ARGV fingerprint, channel, notification. Returns 1 when removed. */
	static final RedisScript<Long> REMOVE_IF_SAME = new LuaScript<>("""
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

	/** KEYS[1] key; ARGV channel, notification. Returns how many keys were removed. */
	static final RedisScript<Long> REMOVE = new LuaScript<>("""
			local removed = redis.call('DEL', KEYS[1])
			redis.call('PUBLISH', ARGV[1], ARGV[2])
			return removed
			""", Long.class);

	/** KEYS[1] lease key; ARGV owner, channel, notification. Returns 1 when released. */
	static final RedisScript<Long> RELEASE = new LuaScript<>("""
			if redis.call('GET', KEYS[1]) == ARGV[1] then
				redis.call('DEL', KEYS[1])
				redis.call('PUBLISH', ARGV[2], ARGV[3])
				return 1
			end
			return 0
			""", Long.class);

	/**
	 * KEYS[1] lease key; ARGV owner, TTL millis. Extends the owner's lease, or takes it again when nobody holds it
	 * (Redis restarted, or the renewal came late): the owner is still refreshing, and no other instance may start
	 * refreshing the same refresh token meanwhile. Returns 1 when the owner holds the lease, 0 when another does.
	 */
	static final RedisScript<Long> RENEW = new LuaScript<>("""
			local holder = redis.call('GET', KEYS[1])
			if holder == ARGV[1] then
				redis.call('PEXPIRE', KEYS[1], ARGV[2])
				return 1
			end
			if not holder then
				redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
				return 1
			end
			return 0
			""", Long.class);

	private StoreScripts() {
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

}
