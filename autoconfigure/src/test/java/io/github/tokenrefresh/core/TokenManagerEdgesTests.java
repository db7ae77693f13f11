package io.github.tokenrefresh.core;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine at its edges: errors thrown instead of signalled, failures in the background and in the store, and
 * resource servers that answer 401 whatever the token.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenManagerEdgesTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final InMemoryTokenStore store = new InMemoryTokenStore();

	private TokenManager.Builder manager(TokenSource source) {
		return TokenManager.builder("billing", source).store(this.store).clock(this.clock);
	}

	@Test
	void sourceThrowingAnErrorFailsTheFirstCallerAndTheNextCallerGetsAToken() {
		AtomicInteger calls = new AtomicInteger();
		TokenSource throwingOnce = () -> {
			if (calls.incrementAndGet() == 1) {
				throw new NoClassDefFoundError("com/example/Missing");
			}
			return this.source.acquire();
		};
		TokenManager manager = manager(throwingOnce).build();
		StepVerifier.create(manager.getToken()).expectError(NoClassDefFoundError.class).verify(TIMEOUT);
		assertThat(manager.isRefreshing()).isFalse();
		StepVerifier.create(manager.getToken())
			.expectNextMatches((token) -> token.getAccessToken().equals("access-1"))
			.verifyComplete();
	}

	@Test
	void sourceThrowingInsteadOfSignallingLeavesNoOpenLongTaskTimerSample() {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
		TokenSource throwing = () -> {
			throw new IllegalStateException("not configured");
		};
		TokenManager manager = manager(throwing).observationRegistry(observations).build();
		StepVerifier.create(manager.getToken()).expectError(IllegalStateException.class).verify(TIMEOUT);
		StepVerifier.create(manager.getToken()).expectError(IllegalStateException.class).verify(TIMEOUT);
		LongTaskTimer active = meters.find(TokenManager.OBSERVATION_NAME + ".active").longTaskTimer();
		assertThat((active != null) ? active.activeTasks() : 0).isZero();
		assertThat(manager.isRefreshing()).isFalse();
	}

	@Test
	void backgroundRefreshThatFailsIsRetriedWhileTheTokenIsUsableAndNoCallerWaits() {
		AtomicInteger waits = new AtomicInteger();
		TokenManager manager = manager(this.source).refreshAhead(Duration.ofMinutes(5))
			.backgroundRetryBackoff(Duration.ofMillis(10))
			.listener(new TokenRefreshListener() {

				@Override
				public void waitedForRefresh(String clientName) {
					waits.incrementAndGet();
				}

			})
			.build();
		manager.getToken().block(TIMEOUT);
		waits.set(0);
		this.source.failNextRefresh(TokenAcquisitionException.failed("billing", null, 503, "busy", null))
			.failNextRefresh(TokenAcquisitionException.failed("billing", null, 503, "busy", null));
		this.clock.advance(Duration.ofMinutes(6));
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		await().atMost(TIMEOUT).until(() -> "access-2".equals(manager.getToken().block(TIMEOUT).getAccessToken()));
		assertThat(this.source.refreshCount()).isEqualTo(3);
		assertThat(waits).hasValue(0);
	}

	@Test
	void storeWhoseWriteFailsStillServesTheObtainedTokenAndSaysSoOnce(CapturedOutput output) {
		TokenStore failingWrites = new FailingWritesStore(this.store);
		TokenManager manager = TokenManager.builder("billing", this.source).store(failingWrites).clock(this.clock)
			.build();
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		assertThat(this.source.callCount()).isEqualTo(1);
		// Another failing write, after the token is due: still said once.
		this.clock.advance(Duration.ofMinutes(10));
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-2");
		assertThat(output).containsOnlyOnce("Could not store the token of client 'billing'");
	}

	@Test
	void rejectionCooldownIsCheckedBeforeAnyFleetCoordination() {
		AtomicInteger coordinated = new AtomicInteger();
		TokenStore counting = new DelegatingStore(this.store) {

			@Override
			public Mono<Token> refreshExclusively(String key, Mono<Token> refresh) {
				coordinated.incrementAndGet();
				return super.refreshExclusively(key, refresh);
			}

		};
		this.source.failNextAcquire(TokenAcquisitionException.rejected("billing", null, 401, "invalid_client", null));
		TokenManager manager = TokenManager.builder("billing", this.source).store(counting).clock(this.clock)
			.build();
		StepVerifier.create(manager.getToken()).expectError(TokenAcquisitionException.class).verify(TIMEOUT);
		assertThat(coordinated).hasValue(1);
		StepVerifier.create(manager.getToken()).expectError(TokenAcquisitionException.class).verify(TIMEOUT);
		StepVerifier.create(manager.getToken()).expectError(TokenAcquisitionException.class).verify(TIMEOUT);
		assertThat(coordinated).hasValue(1);
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void unauthorizedReplacesTheTokenAtMostOncePerIntervalAndKeepsItOtherwise(CapturedOutput output) {
		AtomicInteger unresolved = new AtomicInteger();
		TokenManager manager = manager(this.source).unauthorizedRefreshInterval(Duration.ofSeconds(5))
			.listener(new TokenRefreshListener() {

				@Override
				public void unauthorizedUnresolved(String clientName) {
					unresolved.incrementAndGet();
				}

			})
			.build();
		Token first = manager.getToken().block(TIMEOUT);
		Token second = manager.getTokenAfterUnauthorized(first).block(TIMEOUT);
		assertThat(second.getAccessToken()).isEqualTo("access-2");
		for (int i = 0; i < 1000; i++) {
			this.clock.advance(Duration.ofMillis(4));
			Token current = manager.getToken().block(TIMEOUT);
			Token retry = manager.getTokenAfterUnauthorized(current).block(TIMEOUT);
			assertThat(retry).isSameAs(current);
			assertThat(manager.invalidate(current).block(TIMEOUT)).isFalse();
		}
		assertThat(this.source.callCount()).isEqualTo(2);
		assertThat(unresolved).hasValue(2000);
		// 4 s of rejections, within one interval: one WARN.
		assertThat(output).containsOnlyOnce("answered 401 again");
		this.clock.advance(Duration.ofSeconds(1));
		Token current = manager.getToken().block(TIMEOUT);
		assertThat(manager.getTokenAfterUnauthorized(current).block(TIMEOUT).getAccessToken()).isEqualTo("access-3");
	}

	@Test
	void revokedTokenThatTheResourceServerAcceptedBeforeIsReplacedAtOnceWithinTheInterval() {
		TokenManager manager = manager(this.source).unauthorizedRefreshInterval(Duration.ofSeconds(5)).build();
		Token first = manager.getToken().block(TIMEOUT);
		Token second = manager.getTokenAfterUnauthorized(first).block(TIMEOUT);
		// The second token worked for a while, then was revoked: a new token answers that 401.
		manager.accepted(second);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(manager.getTokenAfterUnauthorized(second).block(TIMEOUT).getAccessToken()).isEqualTo("access-3");
		// The third was never accepted: within the interval it is kept.
		Token third = manager.getToken().block(TIMEOUT);
		assertThat(manager.getTokenAfterUnauthorized(third).block(TIMEOUT)).isSameAs(third);
		assertThat(this.source.callCount()).isEqualTo(3);
	}

	@Test
	void tokenThatWasReplacedMeanwhileIsUsedWithoutACallEvenWithinTheInterval() {
		TokenManager manager = manager(this.source).unauthorizedRefreshInterval(Duration.ofSeconds(5)).build();
		Token first = manager.getToken().block(TIMEOUT);
		Token second = manager.getTokenAfterUnauthorized(first).block(TIMEOUT);
		assertThat(manager.getTokenAfterUnauthorized(first).block(TIMEOUT)).isEqualTo(second);
		assertThat(this.source.callCount()).isEqualTo(2);
	}

	static class DelegatingStore implements TokenStore {

		private final TokenStore delegate;

		DelegatingStore(TokenStore delegate) {
			this.delegate = delegate;
		}

		@Override
		public Mono<Token> get(String key) {
			return this.delegate.get(key);
		}

		@Override
		public @org.jspecify.annotations.Nullable Token getIfCached(String key) {
			return this.delegate.getIfCached(key);
		}

		@Override
		public Mono<Token> put(String key, Token token) {
			return this.delegate.put(key, token);
		}

		@Override
		public Mono<Token> replace(String key, @org.jspecify.annotations.Nullable Token replaced, Token token) {
			return this.delegate.replace(key, replaced, token);
		}

		@Override
		public Mono<Void> remove(String key) {
			return this.delegate.remove(key);
		}

		@Override
		public Mono<Boolean> removeIfSame(String key, Token token) {
			return this.delegate.removeIfSame(key, token);
		}

		@Override
		public Mono<Token> refreshExclusively(String key, Mono<Token> refresh) {
			return this.delegate.refreshExclusively(key, refresh);
		}

	}

	static final class FailingWritesStore extends DelegatingStore {

		FailingWritesStore(TokenStore delegate) {
			super(delegate);
		}

		@Override
		public Mono<Token> put(String key, Token token) {
			return Mono.error(new IllegalStateException("store is read-only"));
		}

		@Override
		public Mono<Token> replace(String key, @org.jspecify.annotations.Nullable Token replaced, Token token) {
			return Mono.error(new IllegalStateException("store is read-only"));
		}

	}

}
