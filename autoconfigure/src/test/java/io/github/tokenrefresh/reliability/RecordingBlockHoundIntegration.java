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
		// Lettuce guards each connection's command queue with a lock: every command takes it briefly to write
		// (incrementWriters), and a connection going down or up, closing, or expiring commands takes it exclusively
		// (doExclusive). A writer waits only while the exclusive holder runs: Lettuce's locking, inside its reactive
		// API, not the starter's. Failing inside it leaves the lock broken: with only the exclusive side allowed, one
		// RedisBlockHoundTests run saw a park detected as the second instance started, then closing hung in
		// doExclusive.
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "doExclusive");
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive");
		// Netty's own BlockHound integration allows the locks of its pooled allocator (PoolArena, PoolChunk) but not
		// yet those of the adaptive allocator that Netty 4.2 uses by default, which an allocation on an event loop
		// takes when it grows its magazines (seen once, in Lettuce's channelRegistered).
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "tryExpandMagazines");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.blockingMethodCallback((method) -> {
			StringBuilder where = new StringBuilder(method + " on " + Thread.currentThread().getName());
			for (StackTraceElement frame : new Throwable().getStackTrace()) {
				where.append("\n\tat ").append(frame);
			}
			detected.add(where.toString());
			// Also in the build log: a test that times out because of it fails before it can show what was detected.
			System.err.println("BlockHound detected " + where);
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
