package io.github.tokenrefresh.web;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.Token;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import reactor.core.publisher.Mono;

/**
 * An {@link ExchangeFilterFunction} that sends each request with the token of the client it belongs to and,
 * when the resource server answers 401, sends it again with a new token.
 * <p>
 * A request belongs to the client named by {@link TokenRefresh#client(String)}, or else to the client with the
 * longest base URL that matches it; a request that matches none passes through untouched, so a token is never
 * sent to a host it was not configured for. A 401 whose {@code WWW-Authenticate} says
 * {@code insufficient_scope} (RFC 6750 §3.1) is returned as it is: a new token would not help. Retries are
 * counted per request, so a resource that always answers 401 sees {@code 1 + retryOnUnauthorized} requests and
 * the caller gets the last 401.
 */
public final class TokenRefreshExchangeFilterFunction implements ExchangeFilterFunction {

	private static final Log logger = LogFactory.getLog(TokenRefreshExchangeFilterFunction.class);

	/**
	 * Set on requests this filter has handled, so that a second instance on the same chain leaves them alone.
	 */
	static final String APPLIED_ATTRIBUTE = TokenRefreshExchangeFilterFunction.class.getName() + ".applied";

	/**
	 * Which retry after a 401 a request is: 1 for the first, and so on; absent on the first attempt.
	 */
	public static final String ATTEMPT_ATTRIBUTE = TokenRefreshExchangeFilterFunction.class.getName() + ".attempt";

	private final ClientSelection clients;

	/**
	 * Create a filter for the given clients.
	 * @param clients the clients, with distinct names
	 */
	public TokenRefreshExchangeFilterFunction(Collection<TokenClient> clients) {
		this.clients = new ClientSelection(clients);
	}

	/**
	 * Return the clients this filter serves, by name.
	 * @return the clients
	 */
	public Map<String, TokenClient> getClients() {
		return this.clients.byName();
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		if (request.attributes().containsKey(APPLIED_ATTRIBUTE)) {
			return next.exchange(request);
		}
		TokenClient client;
		try {
			client = this.clients.select(request.attributes().get(TokenRefresh.CLIENT_ATTRIBUTE), request.url());
		}
		catch (IllegalArgumentException ex) {
			return Mono.error(ex);
		}
		if (client == null) {
			return next.exchange(request);
		}
		ReplayableBody body = (client.getRetryOnUnauthorized() > 0 && request.body() != BodyInserters.empty())
				? new ReplayableBody(client.getName(), request.body(), client.getMaxReplayBodySize()) : null;
		return client.getManager().getToken().flatMap((token) -> send(client, request, body, token, 0, next));
	}

	private Mono<ClientResponse> send(TokenClient client, ClientRequest request, @Nullable ReplayableBody body,
			Token token, int attempt, ExchangeFunction next) {
		ClientRequest.Builder authorized = ClientRequest.from(request)
			.headers((headers) -> headers.set(client.getHeaderName(), client.headerValue(token)))
			.attribute(APPLIED_ATTRIBUTE, Boolean.TRUE);
		if (attempt > 0) {
			authorized.attribute(ATTEMPT_ATTRIBUTE, attempt);
		}
		if (body != null) {
			authorized.body((attempt == 0) ? body.first() : body.again());
		}
		Mono<ClientResponse> response = next.exchange(authorized.build());
		if (attempt > 0) {
			response = response.onErrorMap(WebClientRequestException.class,
					(ex) -> (ex.getCause() instanceof RequestNotReplayableException notReplayable) ? notReplayable : ex);
		}
		return response.flatMap((received) -> isUnauthorized(received)
				? onUnauthorized(client, request, body, token, attempt, next, received) : accepted(client, token, received));
	}

	private static Mono<ClientResponse> accepted(TokenClient client, Token token, ClientResponse response) {
		if (response.statusCode().value() != HttpStatus.UNAUTHORIZED.value()) {
			client.getManager().accepted(token);
		}
		return Mono.just(response);
	}

	private static boolean isUnauthorized(ClientResponse response) {
		return response.statusCode().value() == HttpStatus.UNAUTHORIZED.value()
				&& !BearerChallenge.isInsufficientScope(response.headers().header(HttpHeaders.WWW_AUTHENTICATE));
	}

	private Mono<ClientResponse> onUnauthorized(TokenClient client, ClientRequest request,
			@Nullable ReplayableBody body, Token token, int attempt, ExchangeFunction next, ClientResponse response) {
		if (attempt > 0 && attempt >= client.getRetryOnUnauthorized()) {
			// A token obtained for this very request was refused too: the problem is not the token's age. Keep it,
			// or every request would cost a token call.
			logger.warn("Request " + request.method() + " " + SafeUrl.of(request.url()) + " was still answered 401 after "
					+ attempt + " new token(s) for client '" + client.getName() + "'; returning the 401");
			return Mono.just(response);
		}
		if (attempt >= client.getRetryOnUnauthorized() || (body != null && !body.isReplayable())) {
			return releaseUnlessDelivered(client.getManager().invalidate(token).thenReturn(response), response);
		}
		// Ask before releasing: within the client's unauthorized refresh interval the manager keeps the token and
		// hands it back, and this 401 is then the caller's answer.
		return releaseUnlessDelivered(client.getManager().getTokenAfterUnauthorized(token, request.url())
			.flatMap((fresh) -> fresh.hasSameAccessToken(token) ? Mono.just(response)
					: releaseNow(response).then(send(client, request, body, fresh, attempt + 1, next))),
				response);
	}

	/**
	 * Start reading and releasing the body of a response that will not be returned, and return when that is done.
	 * The release is subscribed here rather than by the caller's chain: a caller that cancels at the moment the
	 * response arrives cancels that chain before it subscribes, and a body nobody subscribes to stays queued in
	 * Reactor Netty for ever.
	 */
	private static Mono<Void> releaseNow(ClientResponse response) {
		Mono<Void> released = response.releaseBody().onErrorComplete().cache();
		released.subscribe();
		return released;
	}

	/**
	 * Return {@code delivery}, releasing the response's body if the caller cancels before it is delivered.
	 */
	private static Mono<ClientResponse> releaseUnlessDelivered(Mono<ClientResponse> delivery,
			ClientResponse response) {
		AtomicBoolean delivered = new AtomicBoolean();
		return delivery.doOnNext((delivering) -> delivered.set(true)).doOnCancel(() -> {
			if (!delivered.get()) {
				releaseNow(response);
			}
		});
	}


	@Override
	public String toString() {
		return "TokenRefreshExchangeFilterFunction[clients=" + this.clients.byName().keySet() + "]";
	}

}
