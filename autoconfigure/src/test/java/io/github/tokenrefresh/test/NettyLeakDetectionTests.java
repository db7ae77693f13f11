package io.github.tokenrefresh.test;

import java.time.Duration;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

class NettyLeakDetectionTests {

	@Test
	void leakedBufferFailsTheCheck() {
		leak();
		// Collection is not guaranteed on the first System.gc(): ask until the detector has seen the buffer go.
		await().atMost(Duration.ofSeconds(20))
			.untilAsserted(() -> assertThatExceptionOfType(AssertionError.class)
				.isThrownBy(NettyLeakDetection::assertNoLeaks)
				.withMessageContaining("LEAK"));
	}

	private static void leak() {
		ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
		buffer.writeInt(42);
		// Dropped without release(): the paranoid detector must report it once collected.
	}

}
