package io.github.tokenrefresh.actuate;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import io.github.tokenrefresh.actuate.TokensEndpoint.ClientDescriptor;
import io.github.tokenrefresh.actuate.TokensEndpoint.TokensDescriptor;
import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

class TokensEndpointTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final TokenManager manager = TokenManager.builder("billing", this.source)
		.store(new InMemoryTokenStore())
		.clock(this.clock)
		.build();

	private final TokensEndpoint endpoint = new TokensEndpoint(List.of(this.manager), "in-memory", this.clock);

	private final TokenRefreshHealthIndicator health = new TokenRefreshHealthIndicator(this.manager, this.clock);

	@Test
	void describesClientBeforeAndAfterARefresh() {
		ClientDescriptor before = this.endpoint.tokens().block(TIMEOUT).clients().get("billing");
		assertThat(before.tokenHeld()).isFalse();
		assertThat(before.storeType()).isEqualTo("in-memory");
		assertThat(before.lastOutcome()).isNull();
		assertThat(before.refreshCount()).isZero();
		ClientDescriptor after = this.endpoint.refresh("billing").block(TIMEOUT);
		assertThat(after.tokenHeld()).isTrue();
		assertThat(after.refreshTokenHeld()).isTrue();
		assertThat(after.expiresAt()).isEqualTo(this.clock.instant().plus(Duration.ofMinutes(10)));
		assertThat(after.secondsLeft()).isEqualTo(600);
		assertThat(after.lastOutcome()).isEqualTo("success");
		assertThat(after.refreshCount()).isEqualTo(1);
		assertThat(after.lastError()).isNull();
	}

	@Test
	void postForcesExactlyOneTokenCallEvenWithAFreshToken() {
		this.manager.getToken().block(TIMEOUT);
		this.endpoint.refresh("billing").block(TIMEOUT);
		assertThat(this.source.callCount()).isEqualTo(2);
		assertThat(this.manager.getStoredToken().block(TIMEOUT).getAccessToken()).isEqualTo("access-2");
	}

	@Test
	void deleteEmptiesTheStore() {
		this.manager.getToken().block(TIMEOUT);
		ClientDescriptor after = this.endpoint.evict("billing").block(TIMEOUT);
		assertThat(after.tokenHeld()).isFalse();
		assertThat(this.manager.getStoredToken().block(TIMEOUT)).isNull();
	}

	@Test
	void unknownClientIsNotFoundOrABadRequest() {
		assertThat(this.endpoint.client("nope").block(TIMEOUT)).isNull();
		StepVerifier.create(this.endpoint.refresh("nope"))
			.expectErrorSatisfies((ex) -> assertThat(ex).hasMessageContaining("nope").hasMessageContaining("billing"))
			.verify(TIMEOUT);
		StepVerifier.create(this.endpoint.evict("nope"))
			.expectError(org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException.class)
			.verify(TIMEOUT);
	}

	@Test
	void rejectionShowsAsLastErrorAndJsonHoldsNoSecret() {
		this.manager.getToken().block(TIMEOUT);
		this.source.failNextRefresh(TokenAcquisitionException.rejected("billing", URI.create("http://auth/token"), 400,
				"invalid_grant", null))
			.failNextAcquire(TokenAcquisitionException.rejected("billing", URI.create("http://auth/token"), 401,
					"invalid_client", null));
		ClientDescriptor client = this.endpoint.refresh("billing").block(TIMEOUT);
		assertThat(client.lastOutcome()).isEqualTo("rejected");
		assertThat(client.lastError().status()).isEqualTo(401);
		assertThat(client.lastError().errorCode()).isEqualTo("invalid_client");
		TokensDescriptor all = this.endpoint.tokens().block(TIMEOUT);
		String json = JsonMapper.builder().findAndAddModules().build().writeValueAsString(all);
		assertThat(json).contains("\"billing\"", "invalid_client").doesNotContain("access-1")
			.doesNotContain("refresh-1");
	}

	@Test
	void healthIsUnknownBeforeUseUpWithATokenDownAfterRejectionAndUpAgainAfterARefresh() {
		assertThat(this.health.health().block(TIMEOUT).getStatus()).isEqualTo(Status.UNKNOWN);
		this.manager.getToken().block(TIMEOUT);
		assertThat(this.health.health().block(TIMEOUT).getStatus()).isEqualTo(Status.UP);
		this.manager.evict().block(TIMEOUT);
		this.source.failNextAcquire(TokenAcquisitionException.rejected("billing", URI.create("http://auth/token"),
				401, "invalid_client", "account disabled"));
		this.manager.getToken().onErrorResume((ex) -> reactor.core.publisher.Mono.empty()).block(TIMEOUT);
		Health down = this.health.health().block(TIMEOUT);
		assertThat(down.getStatus()).isEqualTo(Status.DOWN);
		assertThat(down.getDetails()).containsEntry("status", 401).containsEntry("error", "invalid_client");
		assertThat(this.source.callCount()).isEqualTo(2);
		this.endpoint.refresh("billing").block(TIMEOUT);
		assertThat(this.health.health().block(TIMEOUT).getStatus()).isEqualTo(Status.UP);
		assertThat(this.source.callCount()).isEqualTo(3);
	}

}
