package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

import io.github.tokenrefresh.core.Token;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
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
	void callersOfOneGenerationShareOneReadAndANotificationStartsAnother() {
		List<Sinks.One<Token>> reads = new ArrayList<>();
		LongFunction<Mono<Token>> reader = (generation) -> {
			Sinks.One<Token> read = Sinks.one();
			reads.add(read);
			return read.asMono();
		};
		Mono<Token> firstCaller = this.slot.read(reader);
		Mono<Token> secondCaller = this.slot.read(reader);
		assertThat(reads).hasSize(1);
		// Another instance stored a token meanwhile: the read in flight may return the one it replaced.
		this.slot.onPut(fingerprint(this.second));
		Mono<Token> thirdCaller = this.slot.read(reader);
		assertThat(reads).hasSize(2);
		// A caller that cancels leaves the read to the others.
		firstCaller.subscribe().dispose();
		reads.get(0).tryEmitValue(this.first);
		reads.get(1).tryEmitValue(this.second);
		StepVerifier.create(secondCaller).expectNext(this.first).verifyComplete();
		StepVerifier.create(thirdCaller).expectNext(this.second).verifyComplete();
		// Once a read is done, the next caller reads again.
		this.slot.read(reader).subscribe();
		assertThat(reads).hasSize(3);
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
		this.slot.rememberLocally(this.second, fingerprint(this.second), null, this.later);
		assertThat(this.slot.rememberLocally(this.first, fingerprint(this.first), null, this.later))
			.isSameAs(this.second);
		assertThat(this.slot.fallback()).isSameAs(this.second);
	}

	@Test
	void keepsTheSuccessorOfTheHeldTokenWhenWrittenLocallyWhateverTheIssueTimes() {
		this.slot.rememberLocally(this.second, fingerprint(this.second), null, this.later);
		assertThat(this.slot.rememberLocally(this.first, fingerprint(this.first), fingerprint(this.second),
				this.later))
			.isSameAs(this.first);
		assertThat(this.slot.fallback()).isSameAs(this.first);
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
