package io.github.tokenrefresh.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.dao.DataAccessException;
import org.springframework.dao.InvalidDataAccessApiUsageException;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.connection.ReactiveRedisClusterConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnection;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.ReactiveSubscription.Message;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.ReactiveRedisMessageListenerContainer;
import org.springframework.util.Assert;
import org.springframework.util.ClassUtils;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * The connection a {@link RedisTokenStore} sends its commands over, handed to its template as a connection factory,
 * and its notification listener.
 * <p>
 * A template asks its factory for a connection on every command, on the thread that subscribes: an event loop.
 * Lettuce's factory hands out its shared connection under a lock, and opens it synchronously while it is not open
 * (first use, or Redis unreachable so far). A reactive connection multiplexes commands and Lettuce reconnects it by
 * itself, so this one is obtained once, on the thread that builds the store, or, when Redis is unreachable then,
 * on a bounded-elastic thread with backoff; meanwhile commands fail at once and the store serves its in-memory copy.
 * <p>
 * A Lettuce factory that does not share its native connection takes no lock and connects asynchronously per call,
 * but each of its connections remembers a failed connect for good: that factory is asked for a connection per
 * command, as a template would. A cluster-aware Lettuce factory hands out a cluster connection, held like any other.
 * A Lettuce factory stopped and started again disposes of its client and of the connections held here; that is
 * seen on the next command or notification, and they are obtained again in the background.
 */
final class StoreConnection implements ReactiveRedisConnectionFactory {

	private static final Log logger = LogFactory.getLog(RedisTokenStore.class);

	private static final boolean LETTUCE_PRESENT = ClassUtils.isPresent("io.lettuce.core.RedisClient",
			StoreConnection.class.getClassLoader());

	private static final Duration FIRST_RETRY = Duration.ofMillis(100);

	private static final Duration LAST_RETRY = Duration.ofSeconds(2);

	private final ReactiveRedisConnectionFactory factory;

	private final boolean perCommand;

	private final Disposable.Swap connecting = Disposables.swap();

	private final AtomicReference<@Nullable Held> held = new AtomicReference<>();

	private volatile boolean closed;

	StoreConnection(ReactiveRedisConnectionFactory factory) {
		this.factory = factory;
		this.perCommand = LETTUCE_PRESENT && Lettuce.connectsPerCall(factory);
		try {
			connected(connect());
		}
		catch (RuntimeException ex) {
			logger.debug("Could not connect to Redis; connecting in the background", ex);
			connectInBackground();
		}
	}

	private void connectInBackground() {
		this.connecting.update(Mono.fromCallable(this::connect)
			.subscribeOn(Schedulers.boundedElastic())
			.retryWhen(Retry.backoff(Long.MAX_VALUE, FIRST_RETRY).maxBackoff(LAST_RETRY))
			.subscribe(this::connected, (ex) -> logger.debug("Stopped connecting to Redis", ex)));
	}

	private Held connect() {
		// The client first: a restart in between then shows as a client that is not the factory's.
		@Nullable Object client = LETTUCE_PRESENT ? Lettuce.client(this.factory) : null;
		if (this.perCommand) {
			return new Held(null, null, new ReactiveRedisMessageListenerContainer(this.factory), client);
		}
		ReactiveRedisConnection connection = this.factory.getReactiveConnection();
		try {
			ReactiveRedisMessageListenerContainer listener = new ReactiveRedisMessageListenerContainer(this.factory);
			return new Held(connection, UncloseableConnection.of(connection), listener, client);
		}
		catch (RuntimeException ex) {
			release(connection).subscribe();
			throw ex;
		}
	}

	private void connected(Held held) {
		if (this.closed || !this.held.compareAndSet(null, held)
				|| (this.closed && this.held.compareAndSet(held, null))) {
			close(held).subscribe();
		}
	}

	/**
	 * Return what is held while the factory still has the client it came from. A Lettuce factory stopped and
	 * started again (as around a checkpoint and restore) has disposed of its client and every connection of it:
	 * connect again in the background.
	 */
	private Held current() {
		Held held = this.held.get();
		if (held == null) {
			throw new RedisConnectionFailureException("Not connected to Redis yet");
		}
		if (held.client != null && !Lettuce.hasClient(this.factory, held.client)) {
			if (this.held.compareAndSet(held, null)) {
				logger.debug("The Redis connection factory was restarted; connecting again");
				close(held).subscribe();
				if (!this.closed) {
					connectInBackground();
				}
			}
			throw new RedisConnectionFailureException("Not connected to Redis yet");
		}
		return held;
	}

	/**
	 * Return the connection to send a command over: the held one, closed by {@link #close()} only.
	 * @throws RedisConnectionFailureException while none is held
	 */
	@Override
	public ReactiveRedisConnection getReactiveConnection() {
		if (this.perCommand) {
			return this.factory.getReactiveConnection();
		}
		ReactiveRedisConnection view = current().view;
		Assert.state(view != null, "A connection is held");
		return view;
	}

	@Override
	public ReactiveRedisClusterConnection getReactiveClusterConnection() {
		if (this.perCommand) {
			return this.factory.getReactiveClusterConnection();
		}
		if (getReactiveConnection() instanceof ReactiveRedisClusterConnection cluster) {
			return cluster;
		}
		throw new InvalidDataAccessApiUsageException("Not connected to a Redis Cluster");
	}

	@Override
	public @Nullable DataAccessException translateExceptionIfPossible(RuntimeException ex) {
		return this.factory.translateExceptionIfPossible(ex);
	}

	/**
	 * Receive the messages of the given channel until the connection they come over is closed.
	 * @throws RedisConnectionFailureException while not connected
	 */
	Flux<String> receive(ChannelTopic channel) {
		Held held = current();
		return held.listener.receive(channel).map(Message::getMessage).takeUntilOther(held.closed.asMono());
	}

	/**
	 * Stop connecting, close the listener and release the held connection.
	 */
	Mono<Void> close() {
		this.closed = true;
		this.connecting.dispose();
		Held held = this.held.getAndSet(null);
		return (held != null) ? close(held) : Mono.empty();
	}

	private static Mono<Void> close(Held held) {
		held.closed.tryEmitValue(Boolean.TRUE);
		Mono<Void> listener = held.listener.destroyLater()
			.doOnError((ex) -> logger.debug("Could not close the notification connection", ex))
			.onErrorComplete();
		return (held.connection != null) ? listener.then(release(held.connection)) : listener;
	}

	private static Mono<Void> release(ReactiveRedisConnection connection) {
		return connection.closeLater()
			.doOnError((ex) -> logger.debug("Could not close the connection to Redis", ex))
			.onErrorComplete();
	}

	/**
	 * A connection for commands (with its uncloseable view), absent when connecting per command, a listener, and
	 * the Lettuce client they come from.
	 */
	private record Held(@Nullable ReactiveRedisConnection connection, @Nullable ReactiveRedisConnection view,
			ReactiveRedisMessageListenerContainer listener, @Nullable Object client, Sinks.One<Boolean> closed) {

		Held(@Nullable ReactiveRedisConnection connection, @Nullable ReactiveRedisConnection view,
				ReactiveRedisMessageListenerContainer listener, @Nullable Object client) {
			this(connection, view, listener, client, Sinks.one());
		}

	}

	/**
	 * Loaded only with Lettuce on the class path.
	 */
	private static final class Lettuce {

		static boolean connectsPerCall(ReactiveRedisConnectionFactory factory) {
			return factory instanceof LettuceConnectionFactory lettuce && !lettuce.getShareNativeConnection();
		}

		static @Nullable Object client(ReactiveRedisConnectionFactory factory) {
			return (factory instanceof LettuceConnectionFactory lettuce) ? lettuce.getNativeClient() : null;
		}

		// A volatile read and no lock: cheap enough for every command.
		static boolean hasClient(ReactiveRedisConnectionFactory factory, Object client) {
			try {
				return ((LettuceConnectionFactory) factory).getNativeClient() == client;
			}
			catch (IllegalStateException ex) {
				// Stopped.
				return false;
			}
		}

	}

}
