package io.github.tokenrefresh.event;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Secrets;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

class TokenRefreshEventPublisherTests {

	@Test
	void publishesRefreshedAndRejectedEvents() {
		List<Object> events = new CopyOnWriteArrayList<>();
		MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
		ScriptedTokenSource source = new ScriptedTokenSource(clock);
		TokenManager manager = TokenManager.builder("billing", source)
			.store(new InMemoryTokenStore())
			.clock(clock)
			.listener(new TokenRefreshEventPublisher(events::add))
			.build();
		manager.getToken().block(Duration.ofSeconds(5));
		manager.evict().block(Duration.ofSeconds(5));
		source.failNextAcquire(TokenAcquisitionException.failed("billing", null, 503, "busy", null))
			.failNextAcquire(TokenAcquisitionException.rejected("billing", URI.create("http://a/t"), 401,
					"invalid_client", null));
		manager.getToken().onErrorResume((ex) -> Mono.empty()).block(Duration.ofSeconds(5));
		manager.getToken().onErrorResume((ex) -> Mono.empty()).block(Duration.ofSeconds(5));
		assertThat(events).hasSize(2);
		TokenRefreshedEvent refreshed = (TokenRefreshedEvent) events.get(0);
		assertThat(refreshed.getClientName()).isEqualTo("billing");
		assertThat(refreshed.getKind()).isEqualTo(AcquisitionKind.ACQUIRE);
		assertThat(refreshed.getFingerprint()).isEqualTo(Secrets.fingerprint("access-1")).doesNotContain("access");
		assertThat(refreshed.isRefreshTokenIssued()).isTrue();
		assertThat(refreshed.toString()).doesNotContain("access-1");
		// What an event publication registry would store: every getter, serialised.
		assertThat(new tools.jackson.databind.json.JsonMapper().writeValueAsString(refreshed))
			.contains(refreshed.getFingerprint())
			.doesNotContain("access-1")
			.doesNotContain("refresh-1");
		TokenRejectedEvent rejected = (TokenRejectedEvent) events.get(1);
		assertThat(rejected.getException().getErrorCode()).isEqualTo("invalid_client");
	}

}
