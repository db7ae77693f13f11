package io.github.tokenrefresh.actuate;

import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenStatus;
import io.github.tokenrefresh.core.TokenStatus.Outcome;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.util.Assert;
import reactor.core.publisher.Mono;

/**
 * Health of one client's tokens: {@code DOWN} with the reason when the token endpoint last rejected the
 * credentials or the refresh token (a person must act), {@code UP} when a valid token is held or the last
 * acquisition succeeded, {@code UNKNOWN} before first use. It reads only the store and the manager's status and
 * never calls the token endpoint.
 */
public final class TokenRefreshHealthIndicator implements ReactiveHealthIndicator {

	private final TokenManager manager;

	private final Clock clock;

	public TokenRefreshHealthIndicator(TokenManager manager, Clock clock) {
		Assert.notNull(manager, "'manager' must not be null");
		Assert.notNull(clock, "'clock' must not be null");
		this.manager = manager;
		this.clock = clock;
	}

	/**
	 * Return a contributor with one indicator per client, named after it.
	 * @param managers the managers
	 * @param clock the clock
	 * @return the composite contributor
	 */
	public static CompositeReactiveHealthContributor forClients(Collection<TokenManager> managers, Clock clock) {
		Map<String, TokenRefreshHealthIndicator> indicators = new LinkedHashMap<>();
		managers.forEach((manager) -> indicators.put(manager.getClientName(),
				new TokenRefreshHealthIndicator(manager, clock)));
		return CompositeReactiveHealthContributor.fromMap(indicators);
	}

	@Override
	public Mono<Health> health() {
		TokenStatus status = this.manager.getStatus();
		if (status.lastOutcome() == Outcome.REJECTED) {
			return Mono.just(withError(Health.down(), status)
				.withDetail("reason", "The token endpoint rejected the client's credentials or refresh token")
				.build());
		}
		return this.manager.getStoredToken()
			.filter((token) -> !token.isExpired(this.clock.instant()))
			.map((token) -> withToken(Health.up(), token).build())
			.switchIfEmpty(Mono.fromSupplier(() -> withoutToken(status)));
	}

	private Health withoutToken(TokenStatus status) {
		if (status.lastOutcome() == Outcome.SUCCESS) {
			return Health.up().withDetail("tokenHeld", false).build();
		}
		if (status.lastOutcome() == Outcome.ERROR) {
			return withError(Health.unknown(), status).withDetail("tokenHeld", false).build();
		}
		return Health.unknown().withDetail("tokenHeld", false).build();
	}

	private static Health.Builder withToken(Health.Builder builder, Token token) {
		builder.withDetail("tokenHeld", true);
		if (token.getExpiresAt() != null) {
			builder.withDetail("expiresAt", token.getExpiresAt().toString());
		}
		return builder;
	}

	private static Health.Builder withError(Health.Builder builder, TokenStatus status) {
		if (status.lastErrorStatus() != null) {
			builder.withDetail("status", status.lastErrorStatus());
		}
		if (status.lastErrorCode() != null) {
			builder.withDetail("error", status.lastErrorCode());
		}
		if (status.lastErrorMessage() != null) {
			builder.withDetail("message", status.lastErrorMessage());
		}
		return builder;
	}

}
