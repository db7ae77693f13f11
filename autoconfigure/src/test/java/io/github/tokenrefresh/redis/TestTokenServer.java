package io.github.tokenrefresh.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenSource;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * A counting OAuth 2.0 token endpoint that rotates refresh tokens strictly: each refresh token works once, and a
 * reused one is answered with 400 {@code invalid_grant}.
 */
final class TestTokenServer implements AutoCloseable {

	private final MockWebServer server = new MockWebServer();

	private final AtomicInteger logins = new AtomicInteger();

	private final AtomicInteger refreshes = new AtomicInteger();

	private final AtomicInteger invalidGrants = new AtomicInteger();

	private final Set<String> validRefreshTokens = ConcurrentHashMap.newKeySet();

	private final boolean issueRefreshTokens;

	private final Duration expiresIn;

	private volatile Duration successDelay = Duration.ZERO;

	private volatile Duration rejectionDelay = Duration.ZERO;

	TestTokenServer(boolean issueRefreshTokens, Duration expiresIn) {
		this.issueRefreshTokens = issueRefreshTokens;
		this.expiresIn = expiresIn;
		this.server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return answer(request);
			}

		});
		try {
			this.server.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private MockResponse answer(RecordedRequest request) {
		Map<String, String> form = form((request.getBody() != null) ? request.getBody().utf8() : "");
		if ("refresh_token".equals(form.get("grant_type"))) {
			this.refreshes.incrementAndGet();
			if (!this.validRefreshTokens.remove(form.get("refresh_token"))) {
				this.invalidGrants.incrementAndGet();
				return json(400, "{\"error\":\"invalid_grant\"}", this.rejectionDelay);
			}
		}
		else {
			this.logins.incrementAndGet();
		}
		String accessToken = "access-" + UUID.randomUUID();
		StringBuilder body = new StringBuilder("{\"access_token\":\"" + accessToken
				+ "\",\"token_type\":\"Bearer\",\"expires_in\":" + this.expiresIn.toSeconds());
		if (this.issueRefreshTokens) {
			String refreshToken = "refresh-" + UUID.randomUUID();
			this.validRefreshTokens.add(refreshToken);
			body.append(",\"refresh_token\":\"").append(refreshToken).append("\"");
		}
		return json(200, body.append("}").toString(), this.successDelay);
	}

	private static MockResponse json(int status, String body, Duration delay) {
		return new MockResponse.Builder().code(status)
			.setHeader("Content-Type", "application/json")
			.body(body)
			.headersDelay(delay.toMillis(), TimeUnit.MILLISECONDS)
			.build();
	}

	/**
	 * Answer successful calls after {@code success} and rejected ones after {@code rejection}.
	 */
	void delay(Duration success, Duration rejection) {
		this.successDelay = success;
		this.rejectionDelay = rejection;
	}

	private static Map<String, String> form(String body) {
		Map<String, String> form = new HashMap<>();
		for (String pair : body.split("&")) {
			int equals = pair.indexOf('=');
			if (equals > 0) {
				form.put(pair.substring(0, equals),
						URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
			}
		}
		return form;
	}

	int requests() {
		return this.server.getRequestCount();
	}

	int logins() {
		return this.logins.get();
	}

	int refreshes() {
		return this.refreshes.get();
	}

	int invalidGrants() {
		return this.invalidGrants.get();
	}

	/**
	 * Return a token source calling this server with a WebClient, issuing tokens by the given clock.
	 */
	TokenSource source(String clientName, Clock clock) {
		return new Source(clientName, this.server.url("/token").uri(), clock);
	}

	@Override
	public void close() {
		this.server.close();
	}

	private static final class Source implements TokenSource {

		private final WebClient webClient = WebClient.create();

		private final String clientName;

		private final URI tokenUri;

		private final Clock clock;

		Source(String clientName, URI tokenUri, Clock clock) {
			this.clientName = clientName;
			this.tokenUri = tokenUri;
			this.clock = clock;
		}

		@Override
		public Mono<Token> acquire() {
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			form.add("grant_type", "client_credentials");
			return call(form);
		}

		@Override
		public Mono<Token> refresh(Token token) {
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			form.add("grant_type", "refresh_token");
			form.add("refresh_token", token.getRefreshToken());
			return call(form);
		}

		@SuppressWarnings("unchecked")
		private Mono<Token> call(MultiValueMap<String, String> form) {
			Instant issuedAt = this.clock.instant();
			return this.webClient.post()
				.uri(this.tokenUri)
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.body(BodyInserters.fromFormData(form))
				.exchangeToMono((response) -> {
					if (response.statusCode().is2xxSuccessful()) {
						return response.bodyToMono(Map.class).map((body) -> token(body, issuedAt));
					}
					return response.releaseBody()
						.then(Mono.error(TokenAcquisitionException.rejected(this.clientName, this.tokenUri,
								response.statusCode().value(), "invalid_grant", null)));
				});
		}

		private static Token token(Map<String, Object> body, Instant issuedAt) {
			return Token.builder((String) body.get("access_token"))
				.issuedAt(issuedAt)
				.expiresIn(Duration.ofSeconds(((Number) body.get("expires_in")).longValue()))
				.refreshToken((String) body.get("refresh_token"))
				.build();
		}

	}

}
