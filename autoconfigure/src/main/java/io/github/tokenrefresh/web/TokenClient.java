package io.github.tokenrefresh.web;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.http.HttpHeaders;
import org.springframework.util.Assert;

/**
 * A client as the filter sees it: which requests get its token, how the token is written into the request,
 * and how often a 401 is retried.
 *
 * @see #builder(TokenManager)
 */
public final class TokenClient {

	/**
	 * Largest body kept for a retry by default: 1 MB.
	 */
	public static final long DEFAULT_MAX_REPLAY_BODY_SIZE = 1024 * 1024;

	private final TokenManager manager;

	private final @Nullable BaseUrl baseUrl;

	private final String headerName;

	private final String headerPrefix;

	private final int retryOnUnauthorized;

	private final long maxReplayBodySize;

	private volatile @Nullable HeaderValue lastHeader;

	private TokenClient(Builder builder) {
		this.manager = builder.manager;
		this.baseUrl = (builder.baseUrl != null) ? BaseUrl.parse(builder.baseUrl) : null;
		this.headerName = builder.headerName;
		this.headerPrefix = builder.headerPrefix;
		this.retryOnUnauthorized = builder.retryOnUnauthorized;
		this.maxReplayBodySize = builder.maxReplayBodySize;
	}

	/**
	 * Start a client around the manager that keeps its token.
	 * @param manager the token manager
	 * @return a builder
	 */
	public static Builder builder(TokenManager manager) {
		return new Builder(manager);
	}

	public String getName() {
		return this.manager.getClientName();
	}

	public TokenManager getManager() {
		return this.manager;
	}

	@Nullable BaseUrl getBaseUrl() {
		return this.baseUrl;
	}

	String getHeaderName() {
		return this.headerName;
	}

	int getRetryOnUnauthorized() {
		return this.retryOnUnauthorized;
	}

	long getMaxReplayBodySize() {
		return this.maxReplayBodySize;
	}

	/**
	 * The header value for a token, remembered for the last token so that the common case builds no string.
	 */
	String headerValue(Token token) {
		HeaderValue last = this.lastHeader;
		if (last != null && last.token() == token) {
			return last.value();
		}
		String value = this.headerPrefix + token.getAccessToken();
		this.lastHeader = new HeaderValue(token, value);
		return value;
	}

	@Override
	public String toString() {
		return "TokenClient[name=" + getName() + ", baseUrl=" + this.baseUrl + "]";
	}

	private record HeaderValue(Token token, String value) {

		@Override
		public String toString() {
			return "HeaderValue[" + this.token + "]";
		}

	}

	/**
	 * Builds a {@link TokenClient}.
	 */
	public static final class Builder {

		private final TokenManager manager;

		private @Nullable String baseUrl;

		private String headerName = HttpHeaders.AUTHORIZATION;

		private String headerPrefix = "Bearer ";

		private int retryOnUnauthorized = 1;

		private long maxReplayBodySize = DEFAULT_MAX_REPLAY_BODY_SIZE;

		private Builder(TokenManager manager) {
			Assert.notNull(manager, "'manager' must not be null");
			this.manager = manager;
		}

		/**
		 * Set the base URL whose requests get this client's token. Without one, only requests that name the
		 * client with {@link TokenRefresh#client(String)} get it.
		 * @param baseUrl an absolute URL, or {@code null}
		 * @return this builder
		 */
		public Builder baseUrl(@Nullable String baseUrl) {
			this.baseUrl = baseUrl;
			return this;
		}

		/**
		 * Set the header that carries the token; {@code Authorization} by default.
		 * @param headerName the header name
		 * @return this builder
		 */
		public Builder headerName(String headerName) {
			Assert.hasText(headerName, "'headerName' must not be empty");
			this.headerName = headerName;
			return this;
		}

		/**
		 * Set what precedes the token in the header value; {@code "Bearer "} by default.
		 * @param headerPrefix the prefix, may be empty
		 * @return this builder
		 */
		public Builder headerPrefix(String headerPrefix) {
			Assert.notNull(headerPrefix, "'headerPrefix' must not be null");
			this.headerPrefix = headerPrefix;
			return this;
		}

		/**
		 * Set how many times a request answered with 401 is sent again with a new token; 1 by default.
		 * @param retryOnUnauthorized the number of retries, 0 for none
		 * @return this builder
		 */
		public Builder retryOnUnauthorized(int retryOnUnauthorized) {
			Assert.isTrue(retryOnUnauthorized >= 0, "'retryOnUnauthorized' must not be negative");
			this.retryOnUnauthorized = retryOnUnauthorized;
			return this;
		}

		/**
		 * Set the largest body kept to be sent again after a 401 when it cannot be written anew (a
		 * {@code Publisher}); 1 MB by default. A larger one is not sent again: the caller gets the 401.
		 * @param maxReplayBodySize the cap in bytes
		 * @return this builder
		 */
		public Builder maxReplayBodySize(long maxReplayBodySize) {
			Assert.isTrue(maxReplayBodySize >= 0, "'maxReplayBodySize' must not be negative");
			this.maxReplayBodySize = maxReplayBodySize;
			return this;
		}

		public TokenClient build() {
			return new TokenClient(this);
		}

	}

}
