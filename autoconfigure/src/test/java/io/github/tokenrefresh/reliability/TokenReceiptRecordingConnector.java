package io.github.tokenrefresh.reliability;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.github.tokenrefresh.test.DeliveryRecordingConnector;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;
import org.springframework.http.client.reactive.ClientHttpResponseDecorator;

/**
 * {@link DeliveryRecordingConnector}, also telling a {@link FaultyAuthServer} which issued tokens the client read
 * the whole answer of, so that an issuance whose answer was lost on the way is told apart from an extra one.
 */
final class TokenReceiptRecordingConnector implements ClientHttpConnector {

	private static final Pattern ACCESS_TOKEN = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"");

	private final ClientHttpConnector delegate = new DeliveryRecordingConnector();

	private final FaultyAuthServer server;

	TokenReceiptRecordingConnector(FaultyAuthServer server) {
		this.server = server;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		Mono<ClientHttpResponse> response = this.delegate.connect(method, uri, requestCallback);
		boolean tokenCall = uri.getPath().endsWith("/oauth2/token") || uri.getPath().endsWith("/login");
		return tokenCall ? response.map(this::recording) : response;
	}

	private ClientHttpResponse recording(ClientHttpResponse response) {
		StringBuilder body = new StringBuilder();
		return new ClientHttpResponseDecorator(response) {

			@Override
			public Flux<DataBuffer> getBody() {
				return super.getBody()
					.doOnNext((buffer) -> body
						.append(buffer.toString(buffer.readPosition(), buffer.readableByteCount(),
								StandardCharsets.UTF_8)))
					.doOnComplete(() -> {
						Matcher matcher = ACCESS_TOKEN.matcher(body);
						if (matcher.find()) {
							TokenReceiptRecordingConnector.this.server.received(matcher.group(1));
						}
					});
			}

		};
	}

}
