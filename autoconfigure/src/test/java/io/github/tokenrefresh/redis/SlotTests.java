package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;

import io.github.tokenrefresh.core.Token;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Slot}, the near-cache entry of one key.
 */
class SlotTests {

	private final Instant now = Instant.now();

	private final Instant later = this.now.plusSeconds(300);

	private final Slot slot = new Slot("token-refresh:billing");

	private final Token first = Token.builder("access-first-0123456789012345").issuedAt(this.now).build();

	private final Token second = Token.builder("access-second-012345678901234").issuedAt(this.now.plusSeconds(1))
		.build();

	@Test
	void derivesTheLeaseKeyAndChannelFromTheKey() {
		assertThat(this.slot.leaseKey).isEqualTo("token-refresh:billing:lease");
		assertThat(this.slot.channel).isEqualTo("token-refresh:billing:events");
	}

	@Test
	void servesARememberedTokenUntilItExpires() {
		this.slot.remember(this.first, fingerprint(this.first), this.slot.generation(), this.later);
		assertThat(this.slot.trusted(this.now)).isSameAs(this.first);
		assertThat(this.slot.trusted(this.later)).isNull();
		assertThat(this.slot.fallback()).isSameAs(this.first);
	}

	@Test
	void doesNotCacheAReadOvertakenByANotificationOfAnotherToken() {
		long generation = this.slot.generation();
		this.slot.onPut(fingerprint(this.second));
		this.slot.remember(this.first, fingerprint(this.first), generation, this.later);
		assertThat(this.slot.trusted(this.now)).isNull();
	}

	@Test
	void cachesAReadOfTheAnnouncedTokenEvenAfterTheNotification() {
		long generation = this.slot.generation();
		this.slot.onPut(fingerprint(this.second));
		this.slot.remember(this.second, fingerprint(this.second), generation, this.later);
		assertThat(this.slot.trusted(this.now)).isSameAs(this.second);
	}

	@Test
	void keepsTheTokenAsFallbackWhenAnotherInstanceStoresANewOne() {
		this.slot.remember(this.first, fingerprint(this.first), this.slot.generation(), this.later);
		this.slot.onPut(fingerprint(this.second));
		assertThat(this.slot.trusted(this.now)).isNull();
		assertThat(this.slot.fallback()).isSameAs(this.first);
	}

	@Test
	void keepsTrustingItsTokenWhenNotifiedOfItsOwnWrite() {
		this.slot.remember(this.first, fingerprint(this.first), this.slot.generation(), this.later);
		this.slot.onPut(fingerprint(this.first));
		assertThat(this.slot.trusted(this.now)).isSameAs(this.first);
	}

	@Test
	void dropsTheTokenWhenNotifiedOfItsRemoval() {
		this.slot.remember(this.first, fingerprint(this.first), this.slot.generation(), this.later);
		this.slot.onRemove(fingerprint(this.first));
		assertThat(this.slot.trusted(this.now)).isNull();
		assertThat(this.slot.fallback()).isNull();
	}

	@Test
	void keepsTheNewerTokenWhenWrittenLocally() {
		this.slot.rememberLocally(this.second, fingerprint(this.second), this.later);
		assertThat(this.slot.rememberLocally(this.first, fingerprint(this.first), this.later)).isSameAs(this.second);
		assertThat(this.slot.fallback()).isSameAs(this.second);
	}

	@Test
	void signalsWaitersOfAChangeThatHappenedBeforeTheyListened() {
		Slot.Mark mark = this.slot.mark();
		this.slot.onPut(fingerprint(this.second));
		StepVerifier.create(this.slot.changedSince(mark))
			.expectNext(true)
			.expectComplete()
			.verify(Duration.ofSeconds(1));
	}

	@Test
	void signalsWaitersOfAReleasedLease() {
		Slot.Mark mark = this.slot.mark();
		StepVerifier.create(this.slot.changedSince(mark))
			.expectSubscription()
			.then(this.slot::onReleased)
			.expectNext(false)
			.expectComplete()
			.verify(Duration.ofSeconds(1));
	}

	private static String fingerprint(Token token) {
		return TokenCodec.fingerprint(token);
	}

}
