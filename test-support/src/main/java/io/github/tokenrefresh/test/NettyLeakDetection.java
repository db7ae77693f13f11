package io.github.tokenrefresh.test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Runs every test JVM with Netty's leak detector at paranoid and fails the test class after which a leak is
 * reported. Registered for the whole test run through {@code META-INF/services}: the listener installs a recording
 * detector factory before any Netty buffer class loads, and the extension checks for reports after each class.
 * A leak that {@link DeliveryRecordingConnector} identifies as a response its connector lost before handing it to
 * {@code WebClient} is counted apart, for the test that uses that connector to bound; every other leak fails.
 */
public final class NettyLeakDetection implements LauncherSessionListener, AfterAllCallback {

	private static final List<String> leaks = new CopyOnWriteArrayList<>();

	private static final List<String> connectorRaces = new CopyOnWriteArrayList<>();

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		install();
	}

	/**
	 * Install the recording detector; idempotent, for test code that runs outside the launcher.
	 */
	public static synchronized void install() {
		ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
		if (!(ResourceLeakDetectorFactory.instance() instanceof RecordingFactory)) {
			ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
		}
	}

	@Override
	public void afterAll(ExtensionContext context) {
		assertNoLeaks();
	}

	/**
	 * Collect garbage, make Netty look at its reference queues, and fail if any leak was reported so far.
	 */
	public static void assertNoLeaks() {
		for (int round = 0; round < 3; round++) {
			System.gc();
			// Leaks are reported when a detector tracks a new object: allocate a few to flush the queue.
			for (int i = 0; i < 8; i++) {
				ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(16);
				buffer.release();
			}
		}
		if (!leaks.isEmpty()) {
			List<String> reported = List.copyOf(leaks);
			leaks.clear();
			throw new AssertionError("Netty reported " + reported.size() + " leak(s):\n" + String.join("\n", reported));
		}
	}

	/**
	 * Return how many leaks so far were responses lost by the connector before it handed them to WebClient, and
	 * forget them.
	 */
	public static int takeConnectorRaces() {
		int count = connectorRaces.size();
		connectorRaces.clear();
		return count;
	}

	private static final class RecordingFactory extends ResourceLeakDetectorFactory {

		@Override
		@SuppressWarnings("deprecation")
		public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
				long maxActive) {
			return new ResourceLeakDetector<>(resource, samplingInterval) {

				@Override
				protected void reportTracedLeak(String resourceType, String records) {
					String connection = DeliveryRecordingConnector.undeliveredResponse(records);
					if (connection != null) {
						connectorRaces.add(connection);
						return;
					}
					leaks.add("LEAK: " + resourceType + records);
					super.reportTracedLeak(resourceType, records);
				}

				@Override
				protected void reportUntracedLeak(String resourceType) {
					leaks.add("LEAK: " + resourceType);
					super.reportUntracedLeak(resourceType);
				}

			};
		}

	}

}
