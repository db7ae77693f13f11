package io.github.tokenrefresh.test;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.ChannelOperationsId;
import reactor.netty.http.client.HttpClient;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;

/**
 * Spring's Reactor Netty connector, recording which responses Reactor Netty received and which of them the
 * connector handed to {@code WebClient}, so that a leak can be told apart by where it happened.
 * <p>
 * When a caller cancels at the moment a response arrives, the connector can lose the response before handing it
 * on: its cancel hook runs before the response exists, and the response it then emits goes nowhere. The body stays
 * queued in Reactor Netty for ever. This happens with a plain {@code WebClient} and no filter at all, below
 * anything an {@code ExchangeFilterFunction} can see. A leak of a response that was handed on, or of anything
 * else, is somebody else's and stays a failure.
 */
public final class DeliveryRecordingConnector implements ClientHttpConnector {

	// Reactor Netty names the connection of a buffered message when its leak-detection logger is at DEBUG.
	private static final Pattern BUFFERED = Pattern
		.compile("\\[([0-9a-f]+-\\d+)[,\\]][^\\n]*Buffered ByteBufHolder in the inbound buffer queue");

	private static final Set<String> received = ConcurrentHashMap.newKeySet();

	private static final Set<String> delivered = ConcurrentHashMap.newKeySet();

	/**
	 * The logging property that makes Reactor Netty name the connection in a leak record.
	 */
	public static final String LEAK_RECORDS_NAME_CONNECTIONS = "logging.level._reactor.netty.channel.LeakDetection=DEBUG";

	private final ClientHttpConnector delegate = new ReactorClientHttpConnector(
			HttpClient.create().doOnResponse((response, connection) -> received.add(id(connection))));

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return this.delegate.connect(method, uri, requestCallback)
			.doOnNext((response) -> delivered.add(shortId(response.getId())));
	}

	/**
	 * Return the connection of a leaked buffer if the leak is a response this connector received and never
	 * handed on, or {@code null}.
	 */
	static @Nullable String undeliveredResponse(String records) {
		Matcher buffered = BUFFERED.matcher(records);
		if (!buffered.find()) {
			return null;
		}
		String connection = buffered.group(1);
		return (received.contains(connection) && !delivered.contains(connection)) ? connection : null;
	}

	private static String id(Object connection) {
		return (connection instanceof ChannelOperationsId operations) ? operations.asShortText()
				: String.valueOf(connection);
	}

	private static String shortId(String id) {
		// Spring gives the long form ("abc-1, L:... - R:...") when its logger is at DEBUG.
		int comma = id.indexOf(',');
		return (comma < 0) ? id : id.substring(0, comma);
	}

}
