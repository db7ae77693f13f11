package io.github.tokenrefresh.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import reactor.core.publisher.Mono;

/**
 * A {@link TokenStore} in this process's memory: the default, for a single instance.
 */
public final class InMemoryTokenStore implements TokenStore {

	private final ConcurrentMap<String, Token> tokens = new ConcurrentHashMap<>();

	@Override
	public Mono<Token> get(String key) {
		Assert.notNull(key, "'key' must not be null");
		// Read at subscription, not assembly: a re-subscribed Mono must see the current token.
		return Mono.fromSupplier(() -> this.tokens.get(key));
	}

	@Override
	public @Nullable Token getIfCached(String key) {
		return this.tokens.get(key);
	}

	@Override
	public Mono<Token> put(String key, Token token) {
		return replace(key, null, token);
	}

	@Override
	public Mono<Token> replace(String key, @Nullable Token replaced, Token token) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(token, "'token' must not be null");
		return Mono.fromSupplier(() -> this.tokens.merge(key, token,
				(stored, candidate) -> stored.hasSameAccessToken(replaced) ? candidate : newer(stored, candidate)));
	}

	private static Token newer(Token stored, Token candidate) {
		return stored.getIssuedAt().isAfter(candidate.getIssuedAt()) ? stored : candidate;
	}

	@Override
	public Mono<Boolean> removeIfSame(String key, Token expected) {
		Assert.notNull(key, "'key' must not be null");
		Assert.notNull(expected, "'expected' must not be null");
		return Mono.fromSupplier(() -> {
			Token stored = this.tokens.get(key);
			return stored != null && stored.hasSameAccessToken(expected) && this.tokens.remove(key, stored);
		});
	}

	@Override
	public Mono<Void> remove(String key) {
		Assert.notNull(key, "'key' must not be null");
		return Mono.fromRunnable(() -> this.tokens.remove(key));
	}

	@Override
	public String toString() {
		return "InMemoryTokenStore[keys=" + this.tokens.size() + "]";
	}

}
