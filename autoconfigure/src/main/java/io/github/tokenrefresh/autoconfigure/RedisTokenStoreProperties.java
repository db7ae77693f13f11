package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration of the Redis token store, used when {@code token-refresh.store.type} is {@code redis}.
 */
@ConfigurationProperties("token-refresh.store.redis")
public class RedisTokenStoreProperties {

	/**
	 * Base64-encoded 256-bit key with which stored tokens are encrypted (AES-GCM). Without it tokens are stored
	 * as plain JSON, readable by anyone who can read Redis.
	 */
	private @Nullable String encryptionKey;

	/**
	 * Base64-encoded 256-bit keys for a rolling key rotation: the first encrypts, every one decrypts. Roll out
	 * [new, old] to every instance, then [new]. Takes precedence over encryption-key, which is then also read.
	 */
	private List<String> encryptionKeys = new ArrayList<>();

	/**
	 * Time budget of each Redis command, after which this instance uses its in-memory copy of the token.
	 */
	private Duration commandTimeout = Duration.ofMillis(500);

	/**
	 * Lifetime of the refresh lease without renewal: its holder renews it every third of this while it refreshes,
	 * so another instance takes it over only this long after the holder is gone. At least three times the
	 * command timeout.
	 */
	private Duration leaseTtl = Duration.ofSeconds(10);

	/**
	 * Longest an instance waits for another instance's refresh (it never refreshes while the other holds the
	 * lease) before failing the requests that wait; also how long shutdown lets a refresh in flight finish. By
	 * default the slowest token endpoint call of any client (timeout times attempts, plus backoff) plus the lease
	 * TTL; a value below that slowest call fails startup.
	 */
	private @Nullable Duration leaseWait;

	/**
	 * Time to live of a stored token whose expiry is unknown.
	 */
	private Duration defaultTtl = Duration.ofHours(1);

	/**
	 * Lifetime assumed for a refresh token when the token endpoint does not say; the stored token is kept at
	 * least this long so that its refresh token can be used.
	 */
	private Duration refreshTokenTtl = Duration.ofHours(8);

	/**
	 * Whether the application's Lettuce client rejects commands while disconnected instead of queueing them, so
	 * that a Redis outage costs requests no time.
	 */
	private boolean rejectCommandsWhenDisconnected = true;

	public @Nullable String getEncryptionKey() {
		return this.encryptionKey;
	}

	public void setEncryptionKey(@Nullable String encryptionKey) {
		this.encryptionKey = encryptionKey;
	}

	public List<String> getEncryptionKeys() {
		return this.encryptionKeys;
	}

	public void setEncryptionKeys(List<String> encryptionKeys) {
		this.encryptionKeys = encryptionKeys;
	}

	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public Duration getLeaseTtl() {
		return this.leaseTtl;
	}

	public void setLeaseTtl(Duration leaseTtl) {
		this.leaseTtl = leaseTtl;
	}

	public @Nullable Duration getLeaseWait() {
		return this.leaseWait;
	}

	public void setLeaseWait(@Nullable Duration leaseWait) {
		this.leaseWait = leaseWait;
	}

	public Duration getDefaultTtl() {
		return this.defaultTtl;
	}

	public void setDefaultTtl(Duration defaultTtl) {
		this.defaultTtl = defaultTtl;
	}

	public Duration getRefreshTokenTtl() {
		return this.refreshTokenTtl;
	}

	public void setRefreshTokenTtl(Duration refreshTokenTtl) {
		this.refreshTokenTtl = refreshTokenTtl;
	}

	public boolean isRejectCommandsWhenDisconnected() {
		return this.rejectCommandsWhenDisconnected;
	}

	public void setRejectCommandsWhenDisconnected(boolean rejectCommandsWhenDisconnected) {
		this.rejectCommandsWhenDisconnected = rejectCommandsWhenDisconnected;
	}

	@Override
	public String toString() {
		return "RedisTokenStoreProperties[encryptionKey=" + ((this.encryptionKey != null) ? "[PROTECTED]" : "none")
				+ ", encryptionKeys=" + this.encryptionKeys.size()
				+ ", commandTimeout=" + this.commandTimeout + ", leaseTtl=" + this.leaseTtl + ", leaseWait="
				+ this.leaseWait + "]";
	}

}
