package io.github.tokenrefresh.test;

import java.time.Duration;

import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * Proof that BlockHound is installed in the running JVM, for the BlockHound test classes to start with: a test that
 * detects nothing only means something if a blocking call would have been detected.
 */
public final class BlockHoundChecks {

	private BlockHoundChecks() {
	}

	/**
	 * Assert that a blocking call on one of Reactor's parallel threads fails with {@link BlockingOperationError}.
	 * @param timeout how long to wait for the failure
	 */
	public static void assertBlockingCallFailsOnAParallelThread(Duration timeout) {
		Object lock = new Object();
		StepVerifier.create(Mono.fromCallable(() -> {
			synchronized (lock) {
				lock.wait(1);
			}
			return true;
		}).subscribeOn(Schedulers.parallel())).expectError(BlockingOperationError.class).verify(timeout);
	}

}
