package io.github.tokenrefresh.test;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class NettyLeakDetectionTests {

	@Test
	void leakedBufferFailsTheCheck() {
		leak();
		assertThatExceptionOfType(AssertionError.class).isThrownBy(NettyLeakDetection::assertNoLeaks)
			.withMessageContaining("LEAK");
	}

	private static void leak() {
		ByteBuf buffer = PooledByteBufAllocator.DEFAULT.buffer(64);
		buffer.writeInt(42);
		// Dropped without release(): the paranoid detector must report it once collected.
	}

}
