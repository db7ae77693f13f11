package io.github.tokenrefresh.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;
import java.util.TreeMap;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import redis.embedded.RedisServer;

import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A redis-server of its own on a free loopback port, the Lettuce connection factory the Redis store uses, and a
 * separate connection that reads {@code INFO commandstats} without adding to what it counts (other than
 * {@code info} itself).
 */
final class EmbeddedRedis implements AutoCloseable {

	private final RedisServer server;

	private final LettuceConnectionFactory connectionFactory;

	private final RedisClient statsClient;

	private final StatefulRedisConnection<String, String> stats;

	EmbeddedRedis() throws IOException {
		int port = freePort();
		this.server = new RedisServer(port);
		this.server.start();
		this.connectionFactory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port));
		this.connectionFactory.afterPropertiesSet();
		this.connectionFactory.start();
		this.statsClient = RedisClient.create(RedisURI.create("127.0.0.1", port));
		this.stats = this.statsClient.connect();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	ReactiveRedisConnectionFactory connectionFactory() {
		return this.connectionFactory;
	}

	/** Calls per command since the server started, from {@code INFO commandstats}. */
	Map<String, Long> commandStats() {
		Map<String, Long> calls = new TreeMap<>();
		for (String line : this.stats.sync().info("commandstats").split("\r?\n")) {
			// cmdstat_get:calls=12,usec=34,usec_per_call=2.83,...
			if (line.startsWith("cmdstat_")) {
				String command = line.substring("cmdstat_".length(), line.indexOf(':'));
				String rest = line.substring(line.indexOf("calls=") + "calls=".length());
				calls.put(command, Long.parseLong(rest.substring(0, rest.indexOf(','))));
			}
		}
		return calls;
	}

	@Override
	public void close() throws IOException {
		this.stats.close();
		this.statsClient.shutdown();
		this.connectionFactory.destroy();
		this.server.stop();
	}

}
