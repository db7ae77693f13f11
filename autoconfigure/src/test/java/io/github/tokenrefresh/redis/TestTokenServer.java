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
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import reactor.core.publisher.Mono;

import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * A counting OAuth 2.0 token endpoint that rotates refresh tokens as strict providers do (Keycloak with "revoke
 * refresh token", Auth0 and Okta rotation): each refresh token works once; one presented a second time is a
 * reuse, answered with 400 {@code invalid_grant}, and revokes its whole family (every refresh token descended
 * from the same login, the newest included). The rotation happens when the request arrives, before the answer
 * is sent, so an answer lost on the way still spends the refresh token.
 */
final class TestTokenServer implements AutoCloseable {

	private final MockWebServer server = new MockWebServer();

	private final AtomicInteger logins = new AtomicInteger();

	private final AtomicInteger refreshes = new AtomicInteger();

	private final AtomicInteger invalidGrants = new AtomicInteger();

	private final AtomicInteger reuses = new AtomicInteger();

	private final AtomicInteger familyRevocations = new AtomicInteger();

	// Refresh token → the login it descends from; spent ones stay here to recognise a reuse.
	private final Map<String, String> families = new ConcurrentHashMap<>();

	private final Set<String> validRefreshTokens = ConcurrentHashMap.newKeySet();

	private final Set<String> revokedFamilies = ConcurrentHashMap.newKeySet();

	private final boolean issueRefreshTokens;

	private final Duration expiresIn;

	private volatile Duration successDelay = Duration.ZERO;

	private volatile Duration rejectionDelay = Duration.ZERO;

	private volatile Duration refreshDelay = Duration.ZERO;

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

	private synchronized MockResponse answer(RecordedRequest request) {
		Map<String, String> form = form((request.getBody() != null) ? request.getBody().utf8() : "");
		String family;
		if ("refresh_token".equals(form.get("grant_type"))) {
			this.refreshes.incrementAndGet();
			String presented = form.get("refresh_token");
			family = this.families.get(presented);
			if (!this.validRefreshTokens.remove(presented) || this.revokedFamilies.contains(family)) {
				this.invalidGrants.incrementAndGet();
				if (family != null && !this.revokedFamilies.contains(family)) {
					this.reuses.incrementAndGet();
					this.familyRevocations.incrementAndGet();
					this.revokedFamilies.add(family);
				}
				return json(400, "{\"error\":\"invalid_grant\"}", this.rejectionDelay);
			}
		}
		else {
			this.logins.incrementAndGet();
			family = UUID.randomUUID().toString();
		}
		String accessToken = "access-" + UUID.randomUUID();
		StringBuilder body = new StringBuilder("{\"access_token\":\"" + accessToken
				+ "\",\"token_type\":\"Bearer\",\"expires_in\":" + this.expiresIn.toSeconds());
		if (this.issueRefreshTokens) {
			String refreshToken = "refresh-" + UUID.randomUUID();
			this.validRefreshTokens.add(refreshToken);
			this.families.put(refreshToken, family);
			body.append(",\"refresh_token\":\"").append(refreshToken).append("\"");
		}
		Duration delay = "refresh_token".equals(form.get("grant_type")) ? max(this.successDelay, this.refreshDelay)
				: this.successDelay;
		return json(200, body.append("}").toString(), delay);
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

	/**
	 * Answer successful refresh_token grants after {@code delay} (having rotated the refresh token on receipt).
	 */
	void delayRefreshes(Duration delay) {
		this.refreshDelay = delay;
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
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
	 * Return how many spent refresh tokens were presented again (each revoked its family).
	 */
	int reuses() {
		return this.reuses.get();
	}

	int familyRevocations() {
		return this.familyRevocations.get();
	}

	/**
	 * Return a token source calling this server through {@link TokenEndpoints} (a 20-second timeout per attempt,
	 * the default retries), issuing tokens by the given clock.
	 */
	TokenSource source(String clientName, Clock clock) {
		return source(clientName, clock, TokenEndpoints.builder().timeout(Duration.ofSeconds(20)).build());
	}

	/**
	 * Return a token source calling this server through the given endpoints, with their timeout and retries: the
	 * refresh_token grant as {@code OAuth2TokenSource} sends it.
	 */
	TokenSource source(String clientName, Clock clock, TokenEndpoints endpoints) {
		return new Source(clientName, this.server.url("/token").uri(), clock, endpoints);
	}

	@Override
	public void close() {
		this.server.close();
	}

	private static final class Source implements TokenSource {

		private final String clientName;

		private final URI tokenUri;

		private final Clock clock;

		private final TokenEndpoints endpoints;

		Source(String clientName, URI tokenUri, Clock clock, TokenEndpoints endpoints) {
			this.clientName = clientName;
			this.tokenUri = tokenUri;
			this.clock = clock;
			this.endpoints = endpoints;
		}

		@Override
		public Mono<Token> acquire() {
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			form.add("grant_type", "client_credentials");
			return this.endpoints.call(this.clientName, this.tokenUri, () -> post(form));
		}

		@Override
		public Mono<Token> refresh(Token token) {
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			form.add("grant_type", "refresh_token");
			form.add("refresh_token", token.getRefreshToken());
			return this.endpoints.callNonIdempotent(this.clientName, this.tokenUri, () -> post(form));
		}

		@SuppressWarnings("unchecked")
		private Mono<Token> post(MultiValueMap<String, String> form) {
			// Expiry counts from receipt (RFC 6749 §5.1 expires_in): a slow answer must not arrive already expired.
			return this.endpoints.webClient()
				.post()
				.uri(this.tokenUri)
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.body(BodyInserters.fromFormData(form))
				.retrieve()
				.bodyToMono(Map.class)
				.map((body) -> token(body, this.clock.instant()));
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
