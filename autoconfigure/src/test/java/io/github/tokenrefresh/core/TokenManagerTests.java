package io.github.tokenrefresh.core;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.util.RaceTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

class TokenManagerTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final InMemoryTokenStore store = new InMemoryTokenStore();

	private TokenManager.Builder manager() {
		return TokenManager.builder("billing", this.source).store(this.store).clock(this.clock);
	}

	@Test
	void fetchesOnceAndReusesTheStoredToken() {
		TokenManager manager = manager().build();
		StepVerifier.create(manager.getToken()).expectNextMatches((t) -> t.getAccessToken().equals("access-1"))
			.verifyComplete();
		StepVerifier.create(manager.getToken()).expectNextMatches((t) -> t.getAccessToken().equals("access-1"))
			.verifyComplete();
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(manager.getKey()).isEqualTo("token-refresh:billing");
	}

	@Test
	void refreshesOnceWhenManyCallersArriveTogether() {
		this.source.delay(Duration.ofMillis(100));
		TokenManager manager = manager().build();
		List<Token> tokens = Flux.range(0, 1000)
			.flatMap((i) -> manager.getToken().subscribeOn(Schedulers.parallel()), 1000)
			.collectList()
			.block(TIMEOUT);
		assertThat(tokens).hasSize(1000).allMatch((t) -> t.getAccessToken().equals("access-1"));
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(manager.isRefreshing()).isFalse();
	}

	@Test
	void singleFlightHoldsUnderRacingCallers() {
		TokenManager manager = manager().build();
		for (int round = 0; round < 300; round++) {
			this.store.remove(manager.getKey()).block(TIMEOUT);
			int before = this.source.callCount();
			RaceTestUtils.race(() -> manager.getToken().block(TIMEOUT), () -> manager.getToken().block(TIMEOUT));
			assertThat(this.source.callCount() - before).isEqualTo(1);
			assertThat(manager.isRefreshing()).isFalse();
		}
	}

	@Test
	void cancellingTheFirstCallerDoesNotCancelTheRefreshForOthers() {
		this.source.delay(Duration.ofMillis(200));
		TokenManager manager = manager().build();
		StepVerifier.create(manager.getToken()).thenAwait(Duration.ofMillis(20)).thenCancel().verify(TIMEOUT);
		StepVerifier.create(manager.getToken())
			.expectNextMatches((t) -> t.getAccessToken().equals("access-1"))
			.verifyComplete();
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void failedRefreshReachesEveryWaiterAndTheNextCallStartsAfresh() {
		this.source.delay(Duration.ofMillis(100))
			.failNextAcquire(TokenAcquisitionException.failed("billing", null, 503, "server busy", null));
		TokenManager manager = manager().build();
		List<Throwable> errors = Flux.range(0, 50)
			.flatMap((i) -> manager.getToken().then(Mono.<Throwable>empty()).onErrorResume(Mono::just), 50)
			.collectList()
			.block(TIMEOUT);
		assertThat(errors).hasSize(50).allMatch(TokenAcquisitionException.class::isInstance);
		assertThat(this.source.callCount()).isEqualTo(1);
		assertThat(manager.isRefreshing()).isFalse();
		StepVerifier.create(manager.getToken()).expectNextCount(1).verifyComplete();
		assertThat(this.source.callCount()).isEqualTo(2);
	}

	@Test
	void tokenInsideTheRefreshWindowIsReplacedBeforeUse() {
		TokenManager manager = manager().refreshBeforeExpiry(Duration.ofSeconds(60)).build();
		this.source.expiresIn(Duration.ofMinutes(10));
		StepVerifier.create(manager.getToken()).expectNextMatches((t) -> t.getAccessToken().equals("access-1"))
			.verifyComplete();
		// 30 s before expiry, inside the 60 s window.
		this.clock.advance(Duration.ofMinutes(10).minusSeconds(30));
		StepVerifier.withVirtualTime(manager::getToken)
			.expectNextMatches((t) -> t.getAccessToken().equals("access-2"))
			.verifyComplete();
		assertThat(this.source.refreshCount()).isEqualTo(1);
	}

	@Test
	void tokenOutsideTheRefreshWindowIsUsedWithoutACall() {
		TokenManager manager = manager().refreshBeforeExpiry(Duration.ofSeconds(60)).build();
		manager.getToken().block(TIMEOUT);
		this.clock.advance(Duration.ofMinutes(10).minusSeconds(61));
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void windowLongerThanAShortLivedTokenIsCappedAtHalfItsLifetime() {
		this.source.expiresIn(Duration.ofSeconds(10));
		TokenManager manager = manager().refreshBeforeExpiry(Duration.ofSeconds(60)).build();
		manager.getToken().block(TIMEOUT);
		this.clock.advance(Duration.ofSeconds(4));
		for (int i = 0; i < 100; i++) {
			assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		}
		assertThat(this.source.callCount()).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(1));
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-2");
	}

	@Test
	void refreshAheadServesTheCurrentTokenWhileOneBackgroundRefreshRuns() {
		this.source.delay(Duration.ofMillis(200));
		TokenManager manager = manager().refreshBeforeExpiry(Duration.ofSeconds(10))
			.refreshAhead(Duration.ofSeconds(60))
			.build();
		manager.getToken().block(TIMEOUT);
		this.clock.advance(Duration.ofMinutes(10).minusSeconds(30));
		for (int i = 0; i < 100; i++) {
			assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		}
		org.awaitility.Awaitility.await()
			.atMost(TIMEOUT)
			.until(() -> manager.getStoredToken().block(TIMEOUT).getAccessToken().equals("access-2"));
		assertThat(this.source.callCount()).isEqualTo(2);
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-2");
	}

	@Test
	void unauthorizedForAnOldTokenLeavesTheNewerTokenInPlace() {
		TokenManager manager = manager().build();
		Token old = manager.getToken().block(TIMEOUT);
		Token newer = manager.refresh().block(TIMEOUT);
		assertThat(newer.getAccessToken()).isEqualTo("access-2");
		StepVerifier.create(manager.getTokenAfterUnauthorized(old))
			.expectNextMatches((t) -> t.getAccessToken().equals("access-2"))
			.verifyComplete();
		StepVerifier.create(manager.invalidate(old)).expectNext(false).verifyComplete();
		assertThat(manager.getStoredToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-2");
		assertThat(this.source.callCount()).isEqualTo(2);
	}

	@Test
	void unauthorizedForTheStoredTokenRefreshesWithItsRefreshToken() {
		TokenManager manager = manager().build();
		Token rejected = manager.getToken().block(TIMEOUT);
		StepVerifier.create(manager.getTokenAfterUnauthorized(rejected))
			.expectNextMatches((t) -> t.getAccessToken().equals("access-2"))
			.verifyComplete();
		assertThat(this.source.acquireCount()).isEqualTo(1);
		assertThat(this.source.refreshCount()).isEqualTo(1);
	}

	@Test
	void rejectedRefreshTokenFallsBackToOneFullLogin() {
		TokenManager manager = manager().build();
		Token current = manager.getToken().block(TIMEOUT);
		this.source.failNextRefresh(TokenAcquisitionException.rejected("billing", URI.create("http://auth/token"),
				400, "invalid_grant", "refresh token revoked"));
		StepVerifier.create(manager.getTokenAfterUnauthorized(current))
			.expectNextMatches((t) -> t.getAccessToken().equals("access-2"))
			.verifyComplete();
		assertThat(this.source.refreshCount()).isEqualTo(1);
		assertThat(this.source.acquireCount()).isEqualTo(2);
	}

	@Test
	void refreshWhoseAnswerWasLostLogsInInsteadOfPresentingTheRefreshTokenAgain() {
		TokenManager manager = manager().build();
		Token current = manager.getToken().block(TIMEOUT);
		this.source.failNextRefresh(TokenAcquisitionException
			.failed("billing", URI.create("http://auth/token"), 504, "gateway timeout", null)
			.withUnknownOutcome());
		StepVerifier.create(manager.getTokenAfterUnauthorized(current))
			.expectNextMatches((t) -> t.getAccessToken().equals("access-2"))
			.verifyComplete();
		assertThat(this.source.refreshCount()).isEqualTo(1);
		assertThat(this.source.acquireCount()).isEqualTo(2);
	}

	@Test
	void refreshWhoseAnswerWasLostUsesATokenAnotherProcessStoredMeanwhile() {
		Token other = Token.builder("from-another-process")
			.issuedAt(this.clock.instant())
			.expiresIn(Duration.ofHours(1))
			.build();
		// As if another process had stored the token while this one's answer was lost on the way.
		TokenSource losing = new TokenSource() {

			@Override
			public Mono<Token> acquire() {
				return TokenManagerTests.this.source.acquire();
			}

			@Override
			public Mono<Token> refresh(Token token) {
				return TokenManagerTests.this.store.put("token-refresh:billing", other)
					.then(Mono.error(TokenAcquisitionException.failed("billing", null, null, "timed out", null)
						.withUnknownOutcome()));
			}

		};
		TokenManager manager = TokenManager.builder("billing", losing).store(this.store).clock(this.clock).build();
		Token current = manager.getToken().block(TIMEOUT);
		StepVerifier.create(manager.getTokenAfterUnauthorized(current))
			.expectNextMatches((t) -> t.getAccessToken().equals("from-another-process"))
			.verifyComplete();
		assertThat(this.source.acquireCount()).isEqualTo(1);
	}

	@Test
	void refreshThatCertainlyFailedIsNotReplacedByALogin() {
		TokenManager manager = manager().build();
		Token current = manager.getToken().block(TIMEOUT);
		this.source.failNextRefresh(TokenAcquisitionException.failed("billing", null, 503, "unavailable", null));
		StepVerifier.create(manager.getTokenAfterUnauthorized(current))
			.expectError(TokenAcquisitionException.class)
			.verify(TIMEOUT);
		assertThat(this.source.acquireCount()).isEqualTo(1);
	}

	@Test
	void rejectedLoginFailsWithDetailsAndIsRememberedForTheCooldown() {
		TokenManager manager = manager().rejectionCooldown(Duration.ofSeconds(5)).build();
		this.source.failNextAcquire(TokenAcquisitionException.rejected("billing", URI.create("http://auth/token"), 401,
				"invalid_client", "bad secret"));
		StepVerifier.create(manager.getToken()).expectErrorSatisfies((ex) -> {
			assertThat(ex).isInstanceOf(TokenAcquisitionException.class);
			TokenAcquisitionException acquisition = (TokenAcquisitionException) ex;
			assertThat(acquisition.isRejected()).isTrue();
			assertThat(acquisition.getStatus()).isEqualTo(401);
			assertThat(acquisition.getErrorCode()).isEqualTo("invalid_client");
			assertThat(acquisition.getClientName()).isEqualTo("billing");
			assertThat(ex.getMessage()).contains("billing", "http://auth/token", "401", "invalid_client");
		}).verify(TIMEOUT);
		StepVerifier.create(manager.getToken()).expectError(TokenAcquisitionException.class).verify(TIMEOUT);
		assertThat(this.source.acquireCount()).isEqualTo(1);
		this.clock.advance(Duration.ofSeconds(6));
		StepVerifier.create(manager.getToken()).expectNextCount(1).verifyComplete();
		assertThat(this.source.acquireCount()).isEqualTo(2);
	}

	@Test
	void transientFailuresAreNotRemembered() {
		TokenManager manager = manager().build();
		this.source.failNextAcquire(TokenAcquisitionException.failed("billing", null, 503, "busy", null));
		StepVerifier.create(manager.getToken()).expectError(TokenAcquisitionException.class).verify(TIMEOUT);
		StepVerifier.create(manager.getToken()).expectNextCount(1).verifyComplete();
		assertThat(this.source.acquireCount()).isEqualTo(2);
	}

	@Test
	void refreshResponseWithoutRefreshTokenKeepsTheOldOne() {
		TokenManager manager = manager().build();
		Token first = manager.getToken().block(TIMEOUT);
		this.source.issueRefreshTokens(false);
		Token second = manager.getTokenAfterUnauthorized(first).block(TIMEOUT);
		assertThat(second.getAccessToken()).isEqualTo("access-2");
		assertThat(second.getRefreshToken()).isEqualTo("refresh-1");
	}

	@Test
	void sourceThatNeverAnswersFailsWithinTheBudget() {
		TokenSource silent = Mono::never;
		TokenManager manager = TokenManager.builder("billing", silent).maxWait(Duration.ofSeconds(30)).build();
		StepVerifier.withVirtualTime(manager::getToken)
			.thenAwait(Duration.ofSeconds(31))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenAcquisitionException.class)
				.hasMessageContaining("billing"))
			.verify(TIMEOUT);
		assertThat(manager.isRefreshing()).isFalse();
	}

	@Test
	void manualModeServesTheStoredTokenAndNeverRefreshesOnItsOwn() {
		TokenManager manager = manager().autoRefresh(false).build();
		StepVerifier.create(manager.getToken()).expectError(TokenExpiredException.class).verify(TIMEOUT);
		assertThat(manager.refresh().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		assertThat(manager.getToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		this.clock.advance(Duration.ofMinutes(11));
		StepVerifier.create(manager.getToken())
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(TokenExpiredException.class)
				.hasMessageContaining("billing"))
			.verify(TIMEOUT);
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void evictEmptiesTheStore() {
		TokenManager manager = manager().build();
		manager.getToken().block(TIMEOUT);
		manager.evict().block(TIMEOUT);
		StepVerifier.create(manager.getStoredToken()).verifyComplete();
	}

	@Test
	void resubscribingReadsTheStoreAgain() {
		TokenManager manager = manager().build();
		Mono<Token> token = manager.getToken();
		assertThat(token.block(TIMEOUT).getAccessToken()).isEqualTo("access-1");
		manager.refresh().block(TIMEOUT);
		assertThat(token.block(TIMEOUT).getAccessToken()).isEqualTo("access-2");
		assertThat(this.source.callCount()).isEqualTo(2);
	}

	@Test
	void storeNeverMovesBackwards() {
		Token older = Token.builder("older").issuedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
		Token newer = Token.builder("newer").issuedAt(Instant.parse("2026-01-01T00:01:00Z")).build();
		this.store.put("k", newer).block(TIMEOUT);
		StepVerifier.create(this.store.put("k", older)).expectNext(newer).verifyComplete();
		StepVerifier.create(this.store.removeIfSame("k", older)).expectNext(false).verifyComplete();
		StepVerifier.create(this.store.removeIfSame("k", newer)).expectNext(true).verifyComplete();
	}

	@Test
	void storeWritesTheSuccessorOfTheReplacedTokenWhateverTheIssueTimes() {
		Token ahead = Token.builder("ahead").issuedAt(Instant.parse("2026-01-01T00:01:00Z")).build();
		Token successor = Token.builder("successor").issuedAt(Instant.parse("2026-01-01T00:00:00Z")).build();
		Token other = Token.builder("other").build();
		this.store.put("k", ahead).block(TIMEOUT);
		StepVerifier.create(this.store.replace("k", other, successor)).expectNext(ahead).verifyComplete();
		StepVerifier.create(this.store.replace("k", ahead, successor)).expectNext(successor).verifyComplete();
	}

	@Test
	void refreshStoresItsTokenWhenTheStoredOneCameFromAClockAhead() {
		// Stored by an instance whose clock is an hour ahead of this one's.
		Instant there = this.clock.instant().plus(Duration.ofHours(1));
		Token ahead = Token.builder("ahead")
			.refreshToken("refresh-ahead")
			.issuedAt(there)
			.expiresAt(there.plusSeconds(300))
			.build();
		this.store.put("token-refresh:billing", ahead).block(TIMEOUT);
		TokenManager manager = manager().build();
		// The refresh used (and, on a rotating server, spent) the stored refresh token: its result must be stored.
		StepVerifier.create(manager.refresh()).expectNextMatches((t) -> t.getAccessToken().equals("access-1"))
			.verifyComplete();
		assertThat(this.source.refreshCount()).isOne();
		StepVerifier.create(manager.getStoredToken())
			.expectNextMatches((t) -> t.getAccessToken().equals("access-1"))
			.verifyComplete();
	}

	@Test
	void listenerAndStatusSeeEveryAcquisitionFailureRetryAndWait() {
		List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
		TokenRefreshListener listener = new TokenRefreshListener() {

			@Override
			public void tokenObtained(String clientName, AcquisitionKind kind, Token token, Duration duration) {
				events.add("obtained:" + clientName + ":" + kind.tagValue());
			}

			@Override
			public void acquisitionFailed(String clientName, AcquisitionKind kind, Throwable error,
					Duration duration) {
				events.add("failed:" + kind.tagValue() + ":"
						+ ((TokenAcquisitionException) error).isRejected());
			}

			@Override
			public void unauthorizedRetried(String clientName) {
				events.add("retried");
			}

			@Override
			public void waitedForRefresh(String clientName) {
				events.add("waited");
			}

		};
		TokenManager manager = manager().listener(listener).build();
		assertThat(manager.getStatus().lastOutcome()).isNull();
		Token first = manager.getToken().block(TIMEOUT);
		manager.getToken().block(TIMEOUT);
		assertThat(manager.getStatus().lastOutcome()).isEqualTo(TokenStatus.Outcome.SUCCESS);
		assertThat(manager.getStatus().refreshCount()).isEqualTo(1);
		assertThat(manager.getStatus().expiresAt()).isEqualTo(first.getExpiresAt());
		this.source.failNextRefresh(TokenAcquisitionException.rejected("billing", null, 400, "invalid_grant", null))
			.failNextAcquire(TokenAcquisitionException.rejected("billing", null, 401, "invalid_client", null));
		StepVerifier.create(manager.getTokenAfterUnauthorized(first))
			.expectError(TokenAcquisitionException.class)
			.verify(TIMEOUT);
		assertThat(events).containsExactly("waited", "obtained:billing:acquire", "retried", "failed:refresh:true",
				"failed:acquire:true");
		TokenStatus status = manager.getStatus();
		assertThat(status.lastOutcome()).isEqualTo(TokenStatus.Outcome.REJECTED);
		assertThat(status.lastErrorStatus()).isEqualTo(401);
		assertThat(status.lastErrorCode()).isEqualTo("invalid_client");
		assertThat(status.refreshCount()).isEqualTo(1);
		assertThat(status.toString()).doesNotContain("access-1").doesNotContain("refresh-1");
	}

	@Test
	void eachCallToTheSourceIsObservedWithClientKindAndOutcome() {
		List<io.micrometer.observation.Observation.Context> stopped = new java.util.concurrent.CopyOnWriteArrayList<>();
		io.micrometer.observation.ObservationRegistry registry = io.micrometer.observation.ObservationRegistry.create();
		registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {

			@Override
			public void onStop(io.micrometer.observation.Observation.Context context) {
				stopped.add(context);
			}

			@Override
			public boolean supportsContext(io.micrometer.observation.Observation.Context context) {
				return true;
			}

		});
		TokenManager manager = manager().observationRegistry(registry).build();
		manager.getToken().block(TIMEOUT);
		this.source.failNextAcquire(TokenAcquisitionException.failed("billing", null, 503, "busy", null));
		manager.evict().block(TIMEOUT);
		StepVerifier.create(manager.getToken()).expectError(TokenAcquisitionException.class).verify(TIMEOUT);
		assertThat(stopped).hasSize(2);
		assertThat(stopped.get(0).getName()).isEqualTo("token.refresh.acquisitions");
		assertThat(stopped.get(0).getLowCardinalityKeyValue("client").getValue()).isEqualTo("billing");
		assertThat(stopped.get(0).getLowCardinalityKeyValue("kind").getValue()).isEqualTo("acquire");
		assertThat(stopped.get(0).getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("success");
		assertThat(stopped.get(1).getLowCardinalityKeyValue("outcome").getValue()).isEqualTo("error");
		assertThat(stopped.get(1).getError()).isInstanceOf(TokenAcquisitionException.class);
	}

	@Test
	void singleFlightClearsItsSlotWhenTheWorkIsEmpty() {
		SingleFlight<String, String> flight = new SingleFlight<>();
		AtomicInteger runs = new AtomicInteger();
		StepVerifier.create(flight.run("k", () -> Mono.fromRunnable(runs::incrementAndGet))).verifyComplete();
		assertThat(flight.size()).isZero();
		StepVerifier.create(flight.run("k", () -> {
			throw new IllegalStateException("boom");
		})).expectError(IllegalStateException.class).verify(TIMEOUT);
		assertThat(flight.size()).isZero();
	}

}
