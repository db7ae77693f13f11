package io.github.tokenrefresh.web;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.util.Assert;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * A {@link ClientHttpRequestInterceptor} for {@code RestClient} and {@code RestTemplate} that sends each request
 * with the token of the client it belongs to and, when the resource server answers 401, sends it again with a new
 * token. It applies the rules of {@link TokenRefreshExchangeFilterFunction} over the same {@link TokenManager}s, so
 * a client has one token, one refresh in flight and one store entry whichever kind of HTTP client sends its
 * requests.
 * <p>
 * A request belongs to the client named by {@link TokenRefresh#client(String)} (a request attribute, set with
 * {@code RestClient.RequestHeadersSpec#attributes}), or else to the client with the longest base URL that matches
 * it; a request that matches none passes through untouched. A 401 is answered by evicting the rejected token,
 * obtaining a new one (shared with concurrent callers) and sending the same body bytes again, up to
 * {@code retryOnUnauthorized} times; the dropped 401 is closed before the retry, so its connection goes back to the
 * pool. When the manager keeps the token instead (a token that never worked, replaced once already within the
 * client's unauthorized refresh interval), the 401 is returned as it is. A 401 whose {@code WWW-Authenticate} says
 * {@code insufficient_scope}, and every 403, are returned as they are.
 * <p>
 * Waiting for a token blocks the calling thread only, platform or virtual, and for at most the client's token wait
 * in all per request (one minute unless given; the auto-configuration uses the manager's budget, five times
 * {@code timeout} and at least one minute). Called on a Reactor non-blocking thread (an event loop), the interceptor
 * fails at once with an {@link IllegalStateException} rather than park the thread that would complete the wait.
 */
public final class TokenRefreshClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	/**
	 * How long a request waits for a token, in all, when no wait is given for its client.
	 */
	public static final Duration DEFAULT_TOKEN_WAIT = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(TokenRefreshClientHttpRequestInterceptor.class);

	/**
	 * Set on requests this interceptor has handled, so that a second instance on the same chain leaves them alone.
	 */
	static final String APPLIED_ATTRIBUTE = TokenRefreshClientHttpRequestInterceptor.class.getName() + ".applied";

	private final ClientSelection clients;

	private final Map<String, Duration> tokenWaits;

	/**
	 * Create an interceptor for the given clients, each waiting at most {@link #DEFAULT_TOKEN_WAIT} for a token.
	 * @param clients the clients, with distinct names
	 */
	public TokenRefreshClientHttpRequestInterceptor(Collection<TokenClient> clients) {
		this(clients, Map.of());
	}

	/**
	 * Create an interceptor for the given clients.
	 * @param clients the clients, with distinct names
	 * @param tokenWaits the longest a request of each named client waits for tokens in all; a client missing from
	 * the map waits at most {@link #DEFAULT_TOKEN_WAIT}
	 */
	public TokenRefreshClientHttpRequestInterceptor(Collection<TokenClient> clients,
			Map<String, Duration> tokenWaits) {
		Assert.notNull(tokenWaits, "'tokenWaits' must not be null");
		this.clients = new ClientSelection(clients);
		Map<String, Duration> waits = new HashMap<>();
		for (String name : this.clients.byName().keySet()) {
			Duration wait = tokenWaits.getOrDefault(name, DEFAULT_TOKEN_WAIT);
			Assert.isTrue(!wait.isNegative() && !wait.isZero(), () -> "Token wait of client '" + name + "' must be positive");
			waits.put(name, wait);
		}
		this.tokenWaits = Map.copyOf(waits);
	}

	/**
	 * Return the clients this interceptor serves, by name.
	 * @return the clients
	 */
	public Map<String, TokenClient> getClients() {
		return this.clients.byName();
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		Map<String, Object> attributes = request.getAttributes();
		if (attributes.containsKey(APPLIED_ATTRIBUTE)) {
			return execution.execute(request, body);
		}
		TokenClient client = this.clients.select(attributes.get(TokenRefresh.CLIENT_ATTRIBUTE), request.getURI());
		if (client == null) {
			return execution.execute(request, body);
		}
		if (Schedulers.isInNonBlockingThread()) {
			// Parking an event loop until a token arrives can deadlock: the token call may need that very loop.
			throw new IllegalStateException("The token of token-refresh client '" + client.getName()
					+ "' was requested from a RestClient or RestTemplate on thread '" + Thread.currentThread().getName()
					+ "', which must not block; use a WebClient there, or call from a thread that may block");
		}
		attributes.put(APPLIED_ATTRIBUTE, Boolean.TRUE);
		return send(client, request, body, execution);
	}

	private ClientHttpResponse send(TokenClient client, HttpRequest request, byte[] body,
			ClientHttpRequestExecution execution) throws IOException {
		TokenManager manager = client.getManager();
		long deadline = System.nanoTime() + this.tokenWaits.get(client.getName()).toNanos();
		Token token = await(client, manager.getToken(), deadline);
		for (int attempt = 0;; attempt++) {
			request.getHeaders().set(client.getHeaderName(), client.headerValue(token));
			ClientHttpResponse response = execution.execute(request, body);
			if (!isUnauthorized(response)) {
				// A token that worked once is replaced at once after a 401 (revoked), outside the 401 bound.
				manager.accepted(token);
				return response;
			}
			if (attempt > 0 && attempt >= client.getRetryOnUnauthorized()) {
				// A token obtained for this very request was refused too: the problem is not the token's age. Keep
				// it, or every request would cost a token call.
				logger.warn("Request " + request.getMethod() + " " + SafeUrl.of(request.getURI())
						+ " was still answered 401 after " + attempt + " new token(s) for client '" + client.getName()
						+ "'; returning the 401");
				return response;
			}
			if (attempt >= client.getRetryOnUnauthorized()) {
				return invalidateAndReturn(client, token, deadline, response);
			}
			Token fresh = awaitWhileHolding(client, manager.getTokenAfterUnauthorized(token, request.getURI()), deadline,
					response);
			if (fresh.hasSameAccessToken(token)) {
				// The manager kept the token: 401s it cannot fix are bounded per client, not sent again each.
				return response;
			}
			response.close();
			token = fresh;
		}
	}

	/**
	 * Wait for a result while holding a response that may still be returned; the response is closed when the
	 * wait fails, so its connection goes back to the pool.
	 */
	private static <T> T awaitWhileHolding(TokenClient client, Mono<T> result, long deadline,
			ClientHttpResponse response) throws IOException {
		try {
			return await(client, result, deadline);
		}
		catch (IOException | RuntimeException | Error ex) {
			response.close();
			throw ex;
		}
	}

	private ClientHttpResponse invalidateAndReturn(TokenClient client, Token token, long deadline,
			ClientHttpResponse response) throws IOException {
		awaitWhileHolding(client, client.getManager().invalidate(token), deadline, response);
		return response;
	}

	private static boolean isUnauthorized(ClientHttpResponse response) throws IOException {
		return response.getStatusCode().value() == HttpStatus.UNAUTHORIZED.value()
				&& !BearerChallenge.isInsufficientScope(response.getHeaders().get(HttpHeaders.WWW_AUTHENTICATE));
	}

	/**
	 * Wait on the calling thread for a result of the manager, until the request's deadline at the latest. Waiting
	 * on a future rather than {@code Mono.block} lets an interrupt end the wait.
	 */
	private static <T> T await(TokenClient client, Mono<T> result, long deadline) throws IOException {
		CompletableFuture<T> future = result.toFuture();
		try {
			return future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(true);
			throw TokenAcquisitionException.failed(client.getName(), null, null,
					"no token within the client's token wait", null);
		}
		catch (InterruptedException ex) {
			future.cancel(true);
			Thread.currentThread().interrupt();
			throw new InterruptedIOException(
					"Interrupted while waiting for the token of token-refresh client '" + client.getName() + "'");
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			if (cause instanceof RuntimeException runtime) {
				throw runtime;
			}
			if (cause instanceof Error error) {
				throw error;
			}
			if (cause instanceof IOException io) {
				throw io;
			}
			throw new IOException("Could not obtain the token of token-refresh client '" + client.getName() + "'",
					cause);
		}
	}


	@Override
	public String toString() {
		return "TokenRefreshClientHttpRequestInterceptor[clients=" + this.clients.byName().keySet() + "]";
	}

}
