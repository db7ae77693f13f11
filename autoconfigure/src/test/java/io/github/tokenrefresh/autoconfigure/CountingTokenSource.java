package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenSource;
import reactor.core.publisher.Mono;

/**
 * A token source of the application's own that hands out {@code <prefix>-1}, {@code <prefix>-2}, ... and counts
 * its calls.
 */
final class CountingTokenSource implements TokenSource {

	private final String prefix;

	private final Duration expiresIn;

	private final AtomicInteger acquisitions = new AtomicInteger();

	CountingTokenSource(String prefix) {
		this(prefix, Duration.ofHours(1));
	}

	CountingTokenSource(String prefix, Duration expiresIn) {
		this.prefix = prefix;
		this.expiresIn = expiresIn;
	}

	@Override
	public Mono<Token> acquire() {
		return Mono.fromSupplier(() -> Token.builder(this.prefix + "-" + this.acquisitions.incrementAndGet())
			.expiresIn(this.expiresIn)
			.build());
	}

	int getAcquisitions() {
		return this.acquisitions.get();
	}

}
