package io.github.tokenrefresh.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import io.github.tokenrefresh.core.TokenStatus.Outcome;
import reactor.core.publisher.Mono;

/**
 * One call to a client's token source, observed: a timer with Micrometer, a parent for the token endpoint's HTTP
 * observation, the status for health and the listeners for metrics and events.
 */
final class ObservedAcquisition {

	private static final Log logger = LogFactory.getLog(TokenManager.class);

	private final String clientName;

	private final Clock clock;

	private final TokenRefreshListener listener;

	private final ObservationRegistry observationRegistry;

	private final AtomicReference<TokenStatus> status;

	ObservedAcquisition(String clientName, Clock clock, TokenRefreshListener listener,
			ObservationRegistry observationRegistry) {
		this.clientName = clientName;
		this.clock = clock;
		this.listener = listener;
		this.observationRegistry = observationRegistry;
		this.status = new AtomicReference<>(new TokenStatus(clientName, null, null, null, 0, null, null, null, null));
	}

	TokenStatus status() {
		return this.status.get();
	}

	Mono<Token> call(AcquisitionKind kind, Supplier<Mono<Token>> call) {
		return Mono.defer(() -> {
			// A source that throws instead of returning an error fails here, before an observation is started
			// that nothing would stop (a long-task timer sample per attempt, open for good).
			Mono<Token> source;
			try {
				source = call.get();
			}
			catch (Throwable ex) {
				failed(kind, ex, Outcome.ERROR, this.clock.instant(), Duration.ZERO);
				return Mono.error(ex);
			}
			return observe(kind, source);
		});
	}

	private Mono<Token> observe(AcquisitionKind kind, Mono<Token> source) {
		long start = System.nanoTime();
		Instant attemptAt = this.clock.instant();
		Observation observation = Observation.createNotStarted(TokenManager.OBSERVATION_NAME, this.observationRegistry)
			.contextualName("token " + kind.tagValue())
			.lowCardinalityKeyValue("client", this.clientName)
			.lowCardinalityKeyValue("kind", kind.tagValue())
			.start();
		return source
			.switchIfEmpty(Mono.error(() -> TokenAcquisitionException.failed(this.clientName, null, null,
					"the token source completed without a token", null)))
			.doOnNext((token) -> {
				observation.lowCardinalityKeyValue("outcome", Outcome.SUCCESS.tagValue()).stop();
				obtained(kind, token, attemptAt, Duration.ofNanos(System.nanoTime() - start));
			})
			.doOnError((ex) -> {
				Outcome outcome = isRejection(ex) ? Outcome.REJECTED : Outcome.ERROR;
				observation.lowCardinalityKeyValue("outcome", outcome.tagValue()).error(ex).stop();
				failed(kind, ex, outcome, attemptAt, Duration.ofNanos(System.nanoTime() - start));
			})
			.doOnCancel(observation::stop)
			.contextWrite((context) -> context.put(ObservationThreadLocalAccessor.KEY, observation));
	}

	private void obtained(AcquisitionKind kind, Token token, Instant attemptAt, Duration duration) {
		this.status.updateAndGet((s) -> new TokenStatus(s.clientName(), attemptAt, Outcome.SUCCESS,
				this.clock.instant(), s.refreshCount() + 1, token.getExpiresAt(), null, null, null));
		if (logger.isInfoEnabled()) {
			logger.info("Obtained token for client '" + this.clientName + "' (" + kind.tagValue() + ") in "
					+ duration.toMillis() + " ms, expires at "
					+ ((token.getExpiresAt() != null) ? token.getExpiresAt() : "(unknown)"));
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Token for client '" + this.clientName + "': " + token);
		}
		this.listener.tokenObtained(this.clientName, kind, token, duration);
	}

	private void failed(AcquisitionKind kind, Throwable ex, Outcome outcome, Instant attemptAt, Duration duration) {
		TokenAcquisitionException acquisition = (ex instanceof TokenAcquisitionException tae) ? tae : null;
		this.status.updateAndGet((s) -> new TokenStatus(s.clientName(), attemptAt, outcome, s.lastSuccessAt(),
				s.refreshCount(), s.expiresAt(), (acquisition != null) ? acquisition.getStatus() : null,
				(acquisition != null) ? acquisition.getErrorCode() : null,
				(acquisition != null) ? acquisition.getMessage() : ex.getClass().getSimpleName()));
		this.listener.acquisitionFailed(this.clientName, kind, ex, duration);
	}

	static boolean isRejection(@Nullable Throwable ex) {
		return ex instanceof TokenAcquisitionException acquisition && acquisition.isRejected();
	}

}
