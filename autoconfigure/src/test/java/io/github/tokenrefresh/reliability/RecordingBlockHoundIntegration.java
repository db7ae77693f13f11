package io.github.tokenrefresh.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Records every blocking call BlockHound detects before failing it, so that a test can assert that none was made
 * even when the failure was swallowed by the thread it happened on (an event loop logs and carries on), and allows
 * the blocking calls that are not the starter's. Loaded through {@code META-INF/services} whichever test installs
 * BlockHound first in the JVM: only the first install counts.
 */
public final class RecordingBlockHoundIntegration implements BlockHoundIntegration {

	private static final List<String> detected = new CopyOnWriteArrayList<>();

	@Override
	public void applyTo(BlockHound.Builder builder) {
		// Console logging is synchronous I/O by the application's choice, not the starter's.
		builder.allowBlockingCallsInside("ch.qos.logback.classic.Logger", "callAppenders");
		// Lettuce takes its endpoint's exclusive lock on an event loop when a connection goes down or up, and waits
		// there only if a thread is writing a command at that moment: Lettuce's locking, not the starter's. Failing
		// inside it would leave the lock held and writers spinning for ever. (RedisBlockHoundTests restarts Redis
		// under load and detected nothing here in three runs without these two.)
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive");
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive");
		builder.blockingMethodCallback((method) -> {
			StringBuilder where = new StringBuilder(method + " on " + Thread.currentThread().getName());
			for (StackTraceElement frame : new Throwable().getStackTrace()) {
				where.append("\n\tat ").append(frame);
			}
			detected.add(where.toString());
			throw new BlockingOperationError(method);
		});
	}

	static List<String> detected() {
		return List.copyOf(detected);
	}

	static void clear() {
		detected.clear();
	}

}
