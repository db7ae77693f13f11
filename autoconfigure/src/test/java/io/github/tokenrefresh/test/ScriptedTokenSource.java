package io.github.tokenrefresh.test;

import java.time.Clock;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenSource;
import reactor.core.publisher.Mono;

/**
 * A {@link TokenSource} for tests that counts its calls, issues numbered tokens ({@code access-1}, {@code access-2},
 * ...) after an optional delay, and fails calls on request.
 */
public final class ScriptedTokenSource implements TokenSource {

	private final AtomicInteger issued = new AtomicInteger();

	private final AtomicInteger acquires = new AtomicInteger();

	private final AtomicInteger refreshes = new AtomicInteger();

	private final Queue<Throwable> acquireFailures = new ConcurrentLinkedQueue<>();

	private final Queue<Throwable> refreshFailures = new ConcurrentLinkedQueue<>();

	private final Clock clock;

	private volatile Duration delay = Duration.ZERO;

	private volatile @Nullable Duration expiresIn = Duration.ofMinutes(10);

	private volatile boolean issueRefreshTokens = true;

	public ScriptedTokenSource(Clock clock) {
		this.clock = clock;
	}

	public ScriptedTokenSource delay(Duration delay) {
		this.delay = delay;
		return this;
	}

	public ScriptedTokenSource expiresIn(@Nullable Duration expiresIn) {
		this.expiresIn = expiresIn;
		return this;
	}

	public ScriptedTokenSource issueRefreshTokens(boolean issueRefreshTokens) {
		this.issueRefreshTokens = issueRefreshTokens;
		return this;
	}

	public ScriptedTokenSource failNextAcquire(Throwable failure) {
		this.acquireFailures.add(failure);
		return this;
	}

	public ScriptedTokenSource failNextRefresh(Throwable failure) {
		this.refreshFailures.add(failure);
		return this;
	}

	@Override
	public Mono<Token> acquire() {
		return call(this.acquires, this.acquireFailures);
	}

	@Override
	public Mono<Token> refresh(Token token) {
		return call(this.refreshes, this.refreshFailures);
	}

	private Mono<Token> call(AtomicInteger counter, Queue<Throwable> failures) {
		Mono<Token> call = Mono.defer(() -> {
			counter.incrementAndGet();
			Throwable failure = failures.poll();
			return (failure != null) ? Mono.error(failure) : Mono.just(next());
		});
		return this.delay.isZero() ? call : Mono.delay(this.delay).then(call);
	}

	private Token next() {
		int n = this.issued.incrementAndGet();
		return Token.builder("access-" + n)
			.issuedAt(this.clock.instant())
			.expiresIn(this.expiresIn)
			.refreshToken(this.issueRefreshTokens ? "refresh-" + n : null)
			.build();
	}

	public int acquireCount() {
		return this.acquires.get();
	}

	public int refreshCount() {
		return this.refreshes.get();
	}

	public int callCount() {
		return this.acquires.get() + this.refreshes.get();
	}

}
