package io.github.tokenrefresh.endpoint;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Calls to token endpoints: a dedicated {@link WebClient} (never one that carries tokens itself), a timeout per
 * attempt, bounded retries with exponential backoff and jitter on 5xx, 429 and I/O errors, and the mapping of every
 * failure to a {@link io.github.tokenrefresh.core.TokenAcquisitionException}.
 * <p>
 * The {@link #webClient() WebClient} turns every non-2xx answer into an error that carries only the status, the
 * {@code Retry-After} delay and the OAuth 2.0 {@code error} and {@code error_description}, after releasing the body;
 * decoders read at most {@link Builder#maxResponseSize(int) maxResponseSize} bytes. {@link #call} then maps:
 * <ul>
 * <li>HTTP 400 and 401, and the OAuth 2.0 errors {@code invalid_grant}, {@code invalid_client},
 * {@code unauthorized_client} and {@code access_denied}, to a {@link TokenAcquisitionException#isRejected()
 * rejection} (never retried);</li>
 * <li>HTTP 5xx, 429 and I/O errors (connection refused or reset, timeouts) to a retry, then to a failure;</li>
 * <li>everything else to a failure whose message says what to check.</li>
 * </ul>
 * A call that must not reach the server twice (the refresh_token grant, whose refresh token the server may rotate
 * on receipt) goes through {@link #callNonIdempotent}: it is retried only when the server cannot have acted on it.
 * Messages never contain a token, a secret or a response body.
 */
public final class TokenEndpoints {

	private static final Log logger = LogFactory.getLog(TokenEndpoints.class);

	// RFC 6749 §5.2 codes that mean the credentials or the grant were refused.
	private static final Set<String> REJECTION_CODES = Set.of("invalid_grant", "invalid_client",
			"unauthorized_client", "access_denied");

	private static final String INVALID_TOKEN_RESPONSE = "invalid_token_response";

	// An error body worth reading is a few hundred bytes; never buffer more than this for one.
	private static final int MAX_ERROR_BODY = 16 * 1024;

	private static final int MAX_DESCRIPTION_LENGTH = 256;

	private static final JsonMapper jsonMapper = JsonMapper.builder().build();

	private final Duration timeout;

	private final int maxRetries;

	private final Duration minBackoff;

	private final Duration maxBackoff;

	private final int maxResponseSize;

	private final WebClient webClient;

	private TokenEndpoints(Builder builder) {
		this.timeout = builder.timeout;
		this.maxRetries = builder.maxRetries;
		this.minBackoff = builder.minBackoff;
		this.maxBackoff = builder.maxBackoff;
		this.maxResponseSize = builder.maxResponseSize;
		// clone(): the builder may be shared; our codec limit and filter must not leak into other clients.
		this.webClient = builder.webClientBuilder.clone()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(builder.maxResponseSize))
			.filter(ExchangeFilterFunction.ofResponseProcessor(TokenEndpoints::failUnlessSuccessful))
			.build();
	}

	private TokenEndpoints(TokenEndpoints endpoints, Duration timeout) {
		this.timeout = timeout;
		this.maxRetries = endpoints.maxRetries;
		this.minBackoff = endpoints.minBackoff;
		this.maxBackoff = endpoints.maxBackoff;
		this.maxResponseSize = endpoints.maxResponseSize;
		this.webClient = endpoints.webClient;
	}

	/**
	 * Return token endpoints like these, sharing their WebClient, retries and limits, with another timeout per
	 * attempt: for a client whose token endpoint is slower or faster than the rest.
	 * @param timeout the timeout per attempt
	 * @return the token endpoints with that timeout
	 */
	public TokenEndpoints withTimeout(Duration timeout) {
		Assert.isTrue(timeout != null && timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		return timeout.equals(this.timeout) ? this : new TokenEndpoints(this, timeout);
	}

	/**
	 * Start building {@link TokenEndpoints}.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the WebClient for token endpoint calls. Only 2xx answers reach its callers; any other answer
	 * becomes an error signal that {@link #call} maps.
	 * @return the dedicated WebClient
	 */
	public WebClient webClient() {
		return this.webClient;
	}

	/**
	 * Run a token endpoint call with the timeout, retries and error mapping.
	 * @param <T> the result type
	 * @param clientName the client the call is for
	 * @param endpoint the endpoint called
	 * @param call the call, subscribed once per attempt
	 * @return the result, or a {@link TokenAcquisitionException}
	 */
	public <T> Mono<T> call(String clientName, URI endpoint, Supplier<Mono<T>> call) {
		Assert.notNull(clientName, "'clientName' must not be null");
		Assert.notNull(endpoint, "'endpoint' must not be null");
		Assert.notNull(call, "'call' must not be null");
		return Mono.defer(call)
			.timeout(this.timeout)
			.retryWhen(retry(clientName, TokenEndpoints::isRetryable))
			.onErrorMap((ex) -> toAcquisitionException(clientName, endpoint, ex));
	}

	/**
	 * Run a token endpoint call that must not be repeated once the server may have acted on it, such as a
	 * refresh_token grant (a server that rotates refresh tokens spends the old one on receipt, and strict ones
	 * revoke the whole token family when it is presented again). It is retried only when the server certainly
	 * did not process it: the connection was refused, or the answer was 429 or 503. After a timeout, a connection
	 * lost once the request was sent, or another 5xx, it fails at once with a
	 * {@link TokenAcquisitionException#isOutcomeUnknown() outcome unknown}, so that the caller looks for the
	 * result elsewhere (a shared store) before deciding what to send.
	 * @param <T> the result type
	 * @param clientName the client the call is for
	 * @param endpoint the endpoint called
	 * @param call the call, subscribed once per attempt
	 * @return the result, or a {@link TokenAcquisitionException}
	 */
	public <T> Mono<T> callNonIdempotent(String clientName, URI endpoint, Supplier<Mono<T>> call) {
		Assert.notNull(clientName, "'clientName' must not be null");
		Assert.notNull(endpoint, "'endpoint' must not be null");
		Assert.notNull(call, "'call' must not be null");
		return Mono.defer(call)
			.timeout(this.timeout)
			.retryWhen(retry(clientName, TokenEndpoints::isUnprocessed))
			.onErrorMap((ex) -> {
				TokenAcquisitionException mapped = toAcquisitionException(clientName, endpoint, ex);
				return (isRetryable(ex) && !isUnprocessed(ex)) ? mapped.withUnknownOutcome() : mapped;
			});
	}

	/**
	 * Return the longest a call through these endpoints can take: every attempt timing out, with the longest
	 * backoff between them. A fleet lease held for a refresh must outlive it.
	 * @return the worst-case duration of one call
	 */
	public Duration budget() {
		return this.timeout.multipliedBy(this.maxRetries + 1L).plus(this.maxBackoff.multipliedBy(this.maxRetries));
	}

	/**
	 * Return how many attempts a call makes at most.
	 * @return the number of attempts
	 */
	public int attemptCount() {
		return this.maxRetries + 1;
	}

	/**
	 * Return the time one attempt may take.
	 * @return the timeout per attempt
	 */
	public Duration timeout() {
		return this.timeout;
	}

	private Retry retry(String clientName, Predicate<Throwable> retryable) {
		return Retry.from((signals) -> signals.concatMap((signal) -> {
			Throwable failure = signal.failure();
			long attempt = signal.totalRetries();
			if (attempt >= this.maxRetries || !retryable.test(failure)) {
				return Mono.error(failure);
			}
			Duration delay = delay(attempt, failure);
			if (logger.isDebugEnabled()) {
				logger.debug("Token endpoint call for client '" + clientName + "' failed (" + describe(failure)
						+ "); retry " + (attempt + 1) + " of " + this.maxRetries + " in " + delay.toMillis() + " ms");
			}
			return Mono.delay(delay).thenReturn(attempt);
		}));
	}

	// Exponential backoff with "equal jitter": half the step is fixed, half random, so that a fleet does not
	// retry in lockstep. A Retry-After from the server takes precedence, capped so a caller is not stalled.
	private Duration delay(long attempt, Throwable failure) {
		if (failure instanceof TokenEndpointResponseException response && response.getRetryAfter() != null) {
			Duration retryAfter = response.getRetryAfter();
			return (retryAfter.compareTo(this.maxBackoff) > 0) ? this.maxBackoff : retryAfter;
		}
		long base = this.minBackoff.toMillis() << Math.min(attempt, 30);
		long capped = Math.min(Math.max(base, 0), this.maxBackoff.toMillis());
		long half = capped / 2;
		return Duration.ofMillis(half + ((half > 0) ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
	}

	private static boolean isRetryable(Throwable failure) {
		if (failure instanceof TokenEndpointResponseException response) {
			return response.getStatus() >= 500 || response.getStatus() == 429;
		}
		return failure instanceof TimeoutException || ioCause(failure) != null;
	}

	// The server cannot have acted on the request: it was never connected to, or it said it did not process it.
	private static boolean isUnprocessed(Throwable failure) {
		if (failure instanceof TokenEndpointResponseException response) {
			return response.getStatus() == 503 || response.getStatus() == 429;
		}
		return findCause(failure, ConnectException.class) != null;
	}

	private static @Nullable Throwable ioCause(Throwable failure) {
		for (Throwable candidate = failure; candidate != null; candidate = candidate.getCause()) {
			if (candidate instanceof IOException || candidate instanceof TimeoutException) {
				return candidate;
			}
			if (candidate instanceof CodecException || candidate instanceof DataBufferLimitException) {
				// A body that cannot be decoded will not decode better on a second try.
				return null;
			}
		}
		return null;
	}

	private TokenAcquisitionException toAcquisitionException(String clientName, URI endpoint, Throwable ex) {
		if (ex instanceof TokenAcquisitionException acquisition) {
			return acquisition;
		}
		if (ex instanceof TokenEndpointResponseException response) {
			return fromResponse(clientName, endpoint, response);
		}
		if (ex instanceof OAuth2AuthorizationException authorization) {
			return fromOAuth2Error(clientName, endpoint, authorization.getError());
		}
		if (ex instanceof TimeoutException) {
			return TokenAcquisitionException.failed(clientName, endpoint, null,
					"no answer within " + this.timeout.toMillis() + " ms" + attempts()
							+ "; check that the token endpoint URI is right and reachable, or raise the timeout",
					null);
		}
		if (findCause(ex, DataBufferLimitException.class) != null) {
			return TokenAcquisitionException.failed(clientName, endpoint, null, "the response is larger than "
					+ this.maxResponseSize + " bytes; check the token endpoint URI or raise max-response-size", null);
		}
		Throwable io = ioCause(ex);
		if (io != null) {
			// Only the root I/O cause: a WebClientRequestException's message repeats the full request URI,
			// whose query may hold credentials.
			return TokenAcquisitionException.failed(clientName, endpoint, null, "I/O error " + describe(io)
					+ attempts() + "; check that the token endpoint is up and its URI is right", io);
		}
		if (findCause(ex, CodecException.class) != null || findCause(ex, JacksonException.class) != null) {
			// No cause: decoder messages may quote the body.
			return TokenAcquisitionException.failed(clientName, endpoint, null,
					"the response could not be read as JSON; check that the URI points at the token endpoint", null);
		}
		return TokenAcquisitionException.failed(clientName, endpoint, null,
				"unexpected " + ex.getClass().getSimpleName() + "; check the client's token endpoint settings", null);
	}

	private TokenAcquisitionException fromResponse(String clientName, URI endpoint,
			TokenEndpointResponseException response) {
		int status = response.getStatus();
		String errorCode = response.getErrorCode();
		if (status == 400 || status == 401 || (errorCode != null && REJECTION_CODES.contains(errorCode))) {
			return TokenAcquisitionException.rejected(clientName, endpoint, status, errorCode,
					response.getErrorDescription());
		}
		if (errorCode != null) {
			return TokenAcquisitionException.oauth2Error(clientName, endpoint, status, errorCode,
					response.getErrorDescription(), false);
		}
		String reason;
		if (status == 429) {
			reason = "the token endpoint is rate limiting the client" + attempts() + "; reduce how often tokens "
					+ "are requested or ask for a higher limit";
		}
		else if (status >= 500) {
			reason = "the token endpoint answered with a server error" + attempts() + "; check that it is healthy";
		}
		else if (status == 403) {
			reason = "the token endpoint refused access; check that the client may use this grant and endpoint";
		}
		else if (status == 404 || status == 405) {
			reason = "no token endpoint at this URI; check the configured URI";
		}
		else if (status < 200 || (status >= 300 && status < 400)) {
			reason = "the token endpoint did not answer with a token (redirects are not followed); check the URI";
		}
		else {
			reason = "the token endpoint refused the request; check the client's token endpoint settings";
		}
		return TokenAcquisitionException.failed(clientName, endpoint, status, reason, null);
	}

	private static TokenAcquisitionException fromOAuth2Error(String clientName, URI endpoint, OAuth2Error error) {
		if (INVALID_TOKEN_RESPONSE.equals(error.getErrorCode())) {
			return TokenAcquisitionException.failed(clientName, endpoint, null,
					(error.getDescription() != null) ? error.getDescription()
							: "the response is not an OAuth 2.0 access token response",
					null);
		}
		return TokenAcquisitionException.oauth2Error(clientName, endpoint, null, error.getErrorCode(),
				bounded(error.getDescription()), REJECTION_CODES.contains(error.getErrorCode()));
	}

	private String attempts() {
		return (this.maxRetries > 0) ? " (" + (this.maxRetries + 1) + " attempts)" : "";
	}

	private static String describe(Throwable failure) {
		if (failure instanceof TokenEndpointResponseException response) {
			return "HTTP " + response.getStatus();
		}
		Throwable io = ioCause(failure);
		Throwable shown = (io != null) ? io : failure;
		// Socket exception messages name the peer address, nothing secret.
		return shown.getClass().getSimpleName()
				+ ((io != null && io.getMessage() != null) ? ": " + io.getMessage() : "");
	}

	private static <E extends Throwable> @Nullable E findCause(Throwable ex, Class<E> type) {
		for (Throwable candidate = ex; candidate != null; candidate = candidate.getCause()) {
			if (type.isInstance(candidate)) {
				return type.cast(candidate);
			}
		}
		return null;
	}

	private static Mono<ClientResponse> failUnlessSuccessful(ClientResponse response) {
		if (response.statusCode().is2xxSuccessful()) {
			return Mono.just(response);
		}
		HttpStatusCode status = response.statusCode();
		Duration retryAfter = retryAfter(response.headers().asHttpHeaders());
		if (!mayBeJson(response)) {
			return response.releaseBody().then(Mono.error(() -> errorFor(status, retryAfter, null)));
		}
		// join() with a limit releases what it read when the body is too large; the body is then dropped.
		return DataBufferUtils.join(response.body(BodyExtractors.toDataBuffers()), MAX_ERROR_BODY)
			.map(TokenEndpoints::readError)
			.onErrorResume((ex) -> Mono.empty())
			.map((error) -> errorFor(status, retryAfter, error))
			.defaultIfEmpty(errorFor(status, retryAfter, null))
			.flatMap(Mono::error);
	}

	private static boolean mayBeJson(ClientResponse response) {
		MediaType contentType = response.headers().contentType().orElse(null);
		return contentType == null || contentType.getSubtype().contains("json");
	}

	private static TokenEndpointResponseException errorFor(HttpStatusCode status, @Nullable Duration retryAfter,
			@Nullable OAuth2Error error) {
		return new TokenEndpointResponseException(status.value(), retryAfter,
				(error != null) ? error.getErrorCode() : null, (error != null) ? error.getDescription() : null);
	}

	private static OAuth2Error readError(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			JsonNode json = jsonMapper.readTree(bytes);
			JsonNode code = (json != null) ? json.get("error") : null;
			if (code == null || !code.isString() || code.stringValue().isBlank()) {
				throw new IllegalArgumentException("No OAuth 2.0 error");
			}
			JsonNode description = json.get("error_description");
			return new OAuth2Error(bounded(code.stringValue()),
					(description != null && description.isString()) ? bounded(description.stringValue()) : null,
					null);
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	// Server-provided text goes into exception messages and logs: keep it short and on one line.
	private static @Nullable String bounded(@Nullable String text) {
		if (text == null) {
			return null;
		}
		String oneLine = text.replaceAll("\\p{Cntrl}", " ");
		return (oneLine.length() > MAX_DESCRIPTION_LENGTH) ? oneLine.substring(0, MAX_DESCRIPTION_LENGTH) + "…"
				: oneLine;
	}

	// RFC 9110 §10.2.3: delay-seconds or an HTTP-date.
	static @Nullable Duration retryAfter(HttpHeaders headers) {
		String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
		if (value == null || value.isBlank()) {
			return null;
		}
		value = value.trim();
		try {
			long seconds = Long.parseLong(value);
			return (seconds >= 0) ? Duration.ofSeconds(seconds) : null;
		}
		catch (NumberFormatException ex) {
			// not delay-seconds: try an HTTP-date
		}
		try {
			ZonedDateTime date = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
			Duration delay = Duration.between(ZonedDateTime.now(date.getZone()), date);
			return delay.isNegative() ? Duration.ZERO : delay;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	/**
	 * Builds {@link TokenEndpoints}.
	 */
	public static final class Builder {

		private Duration timeout = Duration.ofSeconds(10);

		private int maxRetries = 3;

		private Duration minBackoff = Duration.ofMillis(100);

		private Duration maxBackoff = Duration.ofSeconds(2);

		private int maxResponseSize = 256 * 1024;

		private WebClient.Builder webClientBuilder = WebClient.builder();

		private Builder() {
		}

		/**
		 * Set the time one attempt may take, from sending the request to reading the whole answer.
		 * @param timeout the timeout per attempt
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			Assert.isTrue(timeout != null && timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
			this.timeout = timeout;
			return this;
		}

		/**
		 * Set how many times a failed call is retried (so at most {@code maxRetries + 1} attempts).
		 * @param maxRetries the number of retries, {@code 0} for none
		 * @return this builder
		 */
		public Builder maxRetries(int maxRetries) {
			Assert.isTrue(maxRetries >= 0, "'maxRetries' must not be negative");
			this.maxRetries = maxRetries;
			return this;
		}

		/**
		 * Set the delay before the first retry; each further retry doubles it, up to the maximum.
		 * @param minBackoff the first backoff
		 * @return this builder
		 */
		public Builder minBackoff(Duration minBackoff) {
			Assert.isTrue(minBackoff != null && !minBackoff.isNegative(), "'minBackoff' must not be negative");
			this.minBackoff = minBackoff;
			return this;
		}

		/**
		 * Set the longest delay between two attempts, also the cap on a server's {@code Retry-After}.
		 * @param maxBackoff the maximum backoff
		 * @return this builder
		 */
		public Builder maxBackoff(Duration maxBackoff) {
			Assert.isTrue(maxBackoff != null && !maxBackoff.isNegative(), "'maxBackoff' must not be negative");
			this.maxBackoff = maxBackoff;
			return this;
		}

		/**
		 * Set the largest response body, in bytes, that is read into memory.
		 * @param maxResponseSize the limit in bytes
		 * @return this builder
		 */
		public Builder maxResponseSize(int maxResponseSize) {
			Assert.isTrue(maxResponseSize > 0, "'maxResponseSize' must be positive");
			this.maxResponseSize = maxResponseSize;
			return this;
		}

		/**
		 * Set the builder the dedicated WebClient starts from. It is cloned; give one without token filters.
		 * @param webClientBuilder the WebClient builder
		 * @return this builder
		 */
		public Builder webClientBuilder(WebClient.Builder webClientBuilder) {
			Assert.notNull(webClientBuilder, "'webClientBuilder' must not be null");
			this.webClientBuilder = webClientBuilder;
			return this;
		}

		/**
		 * Build the {@link TokenEndpoints}.
		 * @return the token endpoints
		 */
		public TokenEndpoints build() {
			Assert.isTrue(this.minBackoff.compareTo(this.maxBackoff) <= 0,
					"'minBackoff' must not be greater than 'maxBackoff'");
			return new TokenEndpoints(this);
		}

	}

}
