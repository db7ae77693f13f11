package io.github.tokenrefresh.core;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * Where tokens live between requests. Implementations must be non-blocking and safe for concurrent use.
 * Keys are built by the engine from a prefix and the client name; a raw token is never a key.
 *
 * @see InMemoryTokenStore
 */
public interface TokenStore {

	/**
	 * Return the token stored under the key.
	 * @param key the key
	 * @return the token, or an empty {@code Mono}
	 */
	Mono<Token> get(String key);

	/**
	 * Return the token this process holds in memory for the key when it may stand for the stored one, for the
	 * per-request fast path; {@code null} when there is none or the store must be asked. Never does I/O. The engine
	 * uses a returned token only while it is fresh; a stale one leads to a refresh, whose re-read asks the store.
	 * @param key the key
	 * @return the cached token, or {@code null}
	 */
	default @Nullable Token getIfCached(String key) {
		return null;
	}

	/**
	 * Store a token unless the key already holds one issued later (put-if-newer), so that a slow writer can
	 * never move the stored token backwards.
	 * @param key the key
	 * @param token the token to store
	 * @return the token held under the key after the write: the given one, or the newer one that won
	 */
	Mono<Token> put(String key, Token token);

	/**
	 * Store a token obtained to replace {@code replaced}: written whatever the issue times when the key still holds
	 * {@code replaced} (the same access token), and otherwise as {@link #put} writes. So a refresh-token rotation
	 * lands even when the process that stored {@code replaced} has a clock ahead of this one's, while a late write
	 * still never moves the stored token backwards. The default ignores {@code replaced} and puts.
	 * @param key the key
	 * @param replaced the token the new one was obtained to replace, or {@code null}
	 * @param token the token to store
	 * @return the token held under the key after the write: the given one, or the one that won
	 */
	default Mono<Token> replace(String key, @Nullable Token replaced, Token token) {
		return put(key, token);
	}

	/**
	 * Remove the key only if it still holds a token with the same access token value as {@code expected}, so
	 * that a late 401 for an old token never evicts a newer one.
	 * @param key the key
	 * @param expected the token the caller used
	 * @return whether the key was removed
	 */
	Mono<Boolean> removeIfSame(String key, Token expected);

	/**
	 * Remove the key, whatever it holds.
	 * @param key the key
	 * @return completion
	 */
	Mono<Void> remove(String key);

	/**
	 * Run a refresh of the key so that, across every process sharing this store, only one runs at a time.
	 * The refresh re-reads the store before calling a token endpoint, so a caller that waited for another
	 * process can simply run it: it then finds the fresh token and makes no call. Within one process the
	 * engine already guarantees a single flight, so the default just runs it.
	 * @param key the key
	 * @param refresh the refresh to run; re-reads the store, calls the token source if still needed, stores
	 * @return the refresh's result
	 */
	default Mono<Token> refreshExclusively(String key, Mono<Token> refresh) {
		return refresh;
	}

}
