package io.github.tokenrefresh.endpoint;

import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;

import org.springframework.util.Assert;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * Calls to token endpoints: a dedicated {@link WebClient} (never one that carries tokens itself), a timeout per
 * attempt, bounded retries with exponential backoff and jitter on 5xx, 429 and I/O errors, and the mapping of every
 * failure to a {@link io.github.tokenrefresh.core.TokenAcquisitionException}.
 */
public final class TokenEndpoints {

	private final Builder settings;

	private TokenEndpoints(Builder builder) {
		this.settings = builder;
	}

	public static Builder builder() {
		return new Builder();
	}

	/**
	 * Return the WebClient for token endpoint calls.
	 * @return the dedicated WebClient
	 */
	public WebClient webClient() {
		throw new UnsupportedOperationException("not implemented yet");
	}

	/**
	 * Run a token endpoint call with the timeout, retries and error mapping.
	 * @param <T> the result type
	 * @param clientName the client the call is for
	 * @param endpoint the endpoint called
	 * @param call the call, subscribed once per attempt
	 * @return the result
	 */
	public <T> Mono<T> call(String clientName, URI endpoint, Supplier<Mono<T>> call) {
		throw new UnsupportedOperationException("not implemented yet");
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

		public Builder timeout(Duration timeout) {
			Assert.isTrue(timeout != null && timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
			this.timeout = timeout;
			return this;
		}

		public Builder maxRetries(int maxRetries) {
			this.maxRetries = maxRetries;
			return this;
		}

		public Builder minBackoff(Duration minBackoff) {
			this.minBackoff = minBackoff;
			return this;
		}

		public Builder maxBackoff(Duration maxBackoff) {
			this.maxBackoff = maxBackoff;
			return this;
		}

		public Builder maxResponseSize(int maxResponseSize) {
			this.maxResponseSize = maxResponseSize;
			return this;
		}

		public Builder webClientBuilder(WebClient.Builder webClientBuilder) {
			this.webClientBuilder = webClientBuilder;
			return this;
		}

		public TokenEndpoints build() {
			return new TokenEndpoints(this);
		}

	}

}
