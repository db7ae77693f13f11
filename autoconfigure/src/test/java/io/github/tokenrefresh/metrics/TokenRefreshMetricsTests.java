package io.github.tokenrefresh.metrics;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class TokenRefreshMetricsTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	@Test
	void metersCountExactlyWhatHappened() {
		MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
		ScriptedTokenSource source = new ScriptedTokenSource(clock);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		ObservationRegistry observations = ObservationRegistry.create();
		observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
		TokenRefreshMetrics metrics = new TokenRefreshMetrics(meters, clock);
		TokenManager manager = TokenManager.builder("billing", source)
			.store(new InMemoryTokenStore())
			.clock(clock)
			.listener(metrics)
			.observationRegistry(observations)
			// Two 401 replacements in a row, without the interval that bounds them.
			.unauthorizedRefreshInterval(Duration.ZERO)
			.build();
		metrics.monitor(manager);

		// fetch, reuse, a 401 retry, then a rejection of both refresh and login
		Token first = manager.getToken().block(TIMEOUT);
		manager.getToken().block(TIMEOUT);
		Token second = manager.getTokenAfterUnauthorized(first).block(TIMEOUT);
		source.failNextRefresh(TokenAcquisitionException.rejected("billing", URI.create("http://a/t"), 400,
				"invalid_grant", null))
			.failNextAcquire(TokenAcquisitionException.rejected("billing", URI.create("http://a/t"), 401,
					"invalid_client", null));
		manager.getTokenAfterUnauthorized(second).onErrorResume((ex) -> Mono.empty()).block(TIMEOUT);

		assertThat(timerCount(meters, "acquire", "success")).isEqualTo(1);
		assertThat(timerCount(meters, "refresh", "success")).isEqualTo(1);
		assertThat(timerCount(meters, "refresh", "rejected")).isEqualTo(1);
		assertThat(timerCount(meters, "acquire", "rejected")).isEqualTo(1);
		assertThat(timerCount(meters, "acquire", "error")).isZero();
		assertThat(meters.get(TokenRefreshMetrics.RETRIES).tag("client", "billing").counter().count()).isEqualTo(2);
		assertThat(meters.get(TokenRefreshMetrics.WAITS).tag("client", "billing").counter().count()).isEqualTo(1);
		clock.advance(Duration.ofSeconds(100));
		assertThat(meters.get(TokenRefreshMetrics.EXPIRY).tag("client", "billing").gauge().value())
			.isEqualTo(Duration.ofMinutes(10).minusSeconds(100).toSeconds());
	}

	@Test
	void unauthorizedReturnedWithTheTokenKeptIsCounted() {
		MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
		ScriptedTokenSource source = new ScriptedTokenSource(clock);
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		TokenManager manager = TokenManager.builder("billing", source)
			.clock(clock)
			.listener(new TokenRefreshMetrics(meters, clock))
			.build();
		Token first = manager.getToken().block(TIMEOUT);
		Token second = manager.getTokenAfterUnauthorized(first).block(TIMEOUT);
		// Within the unauthorized refresh interval: kept, twice.
		assertThat(manager.getTokenAfterUnauthorized(second).block(TIMEOUT)).isSameAs(second);
		assertThat(manager.invalidate(second).block(TIMEOUT)).isFalse();
		assertThat(meters.get(TokenRefreshMetrics.UNRESOLVED).tag("client", "billing").counter().count())
			.isEqualTo(2);
		assertThat(meters.get(TokenRefreshMetrics.RETRIES).tag("client", "billing").counter().count()).isEqualTo(1);
	}

	private static long timerCount(SimpleMeterRegistry meters, String kind, String outcome) {
		var timer = meters.find(TokenManager.OBSERVATION_NAME)
			.tag("client", "billing")
			.tag("kind", kind)
			.tag("outcome", outcome)
			.timer();
		return (timer != null) ? timer.count() : 0;
	}

}
