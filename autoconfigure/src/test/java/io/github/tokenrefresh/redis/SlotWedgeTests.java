package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.Token;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * A read of Redis that throws while it starts must not leave the slot's shared read occupied for good.
 */
class SlotWedgeTests {

	private final Slot slot = new Slot("token-refresh:billing");

	@Test
	void readThatThrowsAnErrorFailsItsCallerAndTheNextReadStartsAfresh() {
		Token token = Token.builder("access-0123456789012345678901").issuedAt(Instant.now()).build();
		StepVerifier.create(this.slot.read((generation) -> {
			throw new NoClassDefFoundError("io/lettuce/core/Missing");
		})).expectError(NoClassDefFoundError.class).verify(Duration.ofSeconds(5));
		StepVerifier.create(this.slot.read((generation) -> Mono.just(token)))
			.expectNext(token)
			.verifyComplete();
	}

	@Test
	void readWhoseSubscriptionThrowsFailsItsCallerAndTheNextReadStartsAfresh() {
		Token token = Token.builder("access-0123456789012345678901").issuedAt(Instant.now()).build();
		StepVerifier.create(this.slot.read((generation) -> Mono.defer(() -> {
			throw new NoClassDefFoundError("io/lettuce/core/Missing");
		}))).expectError(NoClassDefFoundError.class).verify(Duration.ofSeconds(5));
		StepVerifier.create(this.slot.read((generation) -> Mono.just(token)))
			.expectNext(token)
			.verifyComplete();
	}

}
