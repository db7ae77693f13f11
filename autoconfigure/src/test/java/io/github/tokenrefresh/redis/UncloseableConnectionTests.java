package io.github.tokenrefresh.redis;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

import org.springframework.data.redis.connection.ReactiveKeyCommands;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.RedisClusterNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.BDDMockito.given;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

/**
 * Tests for {@link UncloseableConnection}.
 */
class UncloseableConnectionTests {

	@Test
	void closingTheViewLeavesTheConnectionOpenAndCommandsGoToIt() {
		ReactiveRedisConnection connection = mock(ReactiveRedisConnection.class);
		ReactiveKeyCommands keyCommands = mock(ReactiveKeyCommands.class);
		given(connection.keyCommands()).willReturn(keyCommands);
		given(connection.ping()).willReturn(Mono.just("PONG"));
		ReactiveRedisConnection view = UncloseableConnection.of(connection);
		view.close();
		StepVerifier.create(view.closeLater()).verifyComplete();
		verify(connection, never()).close();
		verify(connection, never()).closeLater();
		assertThat(view.keyCommands()).isSameAs(keyCommands);
		StepVerifier.create(view.ping()).expectNext("PONG").verifyComplete();
		assertThat(view).isNotInstanceOf(ReactiveRedisClusterConnection.class);
		// A JDK proxy would need a proxy hint in a native image.
		assertThat(Proxy.isProxyClass(view.getClass())).isFalse();
	}

	@Test
	void viewOfAClusterConnectionIsAClusterConnection() {
		ReactiveRedisClusterConnection connection = mock(ReactiveRedisClusterConnection.class);
		RedisClusterNode node = new RedisClusterNode("127.0.0.1", 7000);
		given(connection.clusterGetNodes()).willReturn(Flux.just(node));
		ReactiveRedisConnection view = UncloseableConnection.of(connection);
		assertThat(view).isInstanceOf(ReactiveRedisClusterConnection.class);
		StepVerifier.create(((ReactiveRedisClusterConnection) view).clusterGetNodes()).expectNext(node)
			.verifyComplete();
		view.close();
		verify(connection, never()).close();
	}

}
