package io.github.tokenrefresh.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.DefaultClientResources;
import org.jspecify.annotations.Nullable;
import redis.embedded.RedisServer;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A real redis-server on a free loopback port for the tests of this package, with an admin connection that
 * reads keys, TTLs and command statistics behind the store's back.
 */
final class EmbeddedRedis implements AutoCloseable {

	// Commands the tests send themselves; everything else counted comes from the stores.
	private static final Set<String> ADMIN_COMMANDS = Set.of("info", "config|resetstat", "config", "pubsub",
			"pubsub|numsub", "client", "client|pause", "hello", "ping");

	private final int port;

	private RedisServer server;

	private final RedisClient adminClient;

	private StatefulRedisConnection<String, String> admin;

	private final List<LettuceConnectionFactory> factories = new ArrayList<>();

	private final List<ClientResources> resources = new ArrayList<>();

	EmbeddedRedis() {
		this.port = freePort();
		this.server = newServer();
		start();
		this.adminClient = RedisClient.create("redis://127.0.0.1:" + this.port);
		this.admin = this.adminClient.connect();
	}

	private RedisServer newServer() {
		try {
			// No persistence: a restarted server must come back empty, like a lost one.
			return RedisServer.newRedisServer().bind("127.0.0.1").port(this.port).setting("save \"\"")
				.setting("appendonly no").build();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void start() {
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void stop() {
		try {
			this.server.stop();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	void restart() {
		this.server = newServer();
		start();
		this.admin.close();
		this.admin = this.adminClient.connect();
	}

	int port() {
		return this.port;
	}

	RedisCommands<String, String> admin() {
		return this.admin.sync();
	}

	/**
	 * Return a connection factory of its own, like one application instance would have: Lettuce rejects
	 * commands while disconnected and reconnects quickly.
	 */
	LettuceConnectionFactory connectionFactory() {
		ClientResources clientResources = DefaultClientResources.builder()
			.reconnectDelay(Delay.constant(Duration.ofMillis(100)))
			.build();
		LettuceClientConfiguration configuration = LettuceClientConfiguration.builder()
			.clientResources(clientResources)
			.clientOptions(ClientOptions.builder()
				.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
				.build())
			.commandTimeout(Duration.ofSeconds(2))
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration("127.0.0.1", this.port), configuration);
		factory.afterPropertiesSet();
		this.factories.add(factory);
		this.resources.add(clientResources);
		return factory;
	}

	/**
	 * Return how many commands other than the tests' own admin commands the server executed since the last
	 * {@link #resetCommandCount()}.
	 */
	long commandCount() {
		return commandCount(null);
	}

	/**
	 * Return how many times the server executed the given command since the last {@link #resetCommandCount()}.
	 */
	long calls(String command) {
		return commandCount(command);
	}

	private long commandCount(@Nullable String only) {
		long count = 0;
		for (String line : admin().info("commandstats").split("\r?\n")) {
			if (!line.startsWith("cmdstat_")) {
				continue;
			}
			String command = line.substring("cmdstat_".length(), line.indexOf(':'));
			if ((only != null) ? only.equals(command) : !ADMIN_COMMANDS.contains(command)) {
				String calls = line.substring(line.indexOf("calls=") + "calls=".length());
				count += Long.parseLong(calls.substring(0, calls.indexOf(',')));
			}
		}
		return count;
	}

	void resetCommandCount() {
		admin().configResetstat();
	}

	long subscribers(String channel) {
		Map<String, Long> counts = admin().pubsubNumsub(channel);
		return counts.getOrDefault(channel, 0L);
	}

	@Override
	public void close() {
		this.factories.forEach(LettuceConnectionFactory::destroy);
		this.resources.forEach((clientResources) -> clientResources.shutdown(0, 1, TimeUnit.SECONDS));
		this.admin.close();
		this.adminClient.shutdown();
		stop();
	}

}
