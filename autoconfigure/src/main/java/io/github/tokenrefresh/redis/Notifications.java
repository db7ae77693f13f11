package io.github.tokenrefresh.redis;

import java.time.Duration;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.util.retry.Retry;

import org.springframework.data.redis.listener.ChannelTopic;

/**
 * Listens on each key's channel and hands what other instances announce (a token stored or removed, a lease
 * released) to the key's {@link Slot}: the near cache stops vouching for a replaced token, and lease waiters wake.
 */
final class Notifications {

	private static final Log logger = LogFactory.getLog(RedisTokenStore.class);

	private final StoreConnection connection;

	private final TokenCodec codec;

	private final Disposable.Composite subscriptions = Disposables.composite();

	Notifications(StoreConnection connection, TokenCodec codec) {
		this.connection = connection;
		this.codec = codec;
	}

	void listen(Slot slot) {
		// Receiving completes when the connection is replaced (see StoreConnection): listen on the new one.
		Disposable subscription = Flux.defer(() -> this.connection.receive(ChannelTopic.of(slot.channel)))
			.retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(100)).maxBackoff(Duration.ofSeconds(5)))
			.repeatWhen((completions) -> completions.delayElements(Duration.ofMillis(100)))
			.subscribe((message) -> notified(slot, message),
					(ex) -> logger.debug("Stopped listening on '" + slot.channel + "'", ex));
		this.subscriptions.add(subscription);
	}

	private void notified(Slot slot, String message) {
		TokenCodec.Event event = this.codec.readEvent(message);
		if (event == null) {
			return;
		}
		switch (event.type()) {
			case "put" -> slot.onPut(event.fingerprint());
			case "remove" -> slot.onRemove(event.fingerprint());
			case "released" -> slot.onReleased();
			default -> {
				// From a newer version: nothing this one knows how to act on.
			}
		}
	}

	void dispose() {
		this.subscriptions.dispose();
	}

}
