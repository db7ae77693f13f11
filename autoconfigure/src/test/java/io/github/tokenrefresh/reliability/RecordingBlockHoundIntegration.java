package io.github.tokenrefresh.reliability;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Records every blocking call BlockHound detects before failing it, so that a test can assert that none was made
 * even when the failure was swallowed by the thread it happened on (an event loop logs and carries on). Loaded
 * through {@code META-INF/services} by whichever test installs BlockHound first in the JVM.
 */
public final class RecordingBlockHoundIntegration implements BlockHoundIntegration {

	private static final List<String> detected = new CopyOnWriteArrayList<>();

	@Override
	public void applyTo(BlockHound.Builder builder) {
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
