package io.github.tokenrefresh.login;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.util.Assert;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Obtains tokens from in-house login and refresh endpoints: POSTs a configured body to the login URI and the
 * refresh token to the refresh URI, and reads the answer by dot paths.
 * <p>
 * The answer must be a JSON object (read from at most the endpoints' {@code maxResponseSize} bytes) whose
 * access token path leads to a non-empty string; anything else (an empty body, an HTML page, a JSON array, a
 * missing or non-string access token) fails with a {@link TokenAcquisitionException} that is not a rejection.
 * A dot path ({@code data.token}) walks nested objects; a numeric segment indexes an array.
 * <p>
 * Lifetimes ({@code expires_in}, {@code refresh_expires_in}) are seconds, as a JSON number or a numeric string;
 * a fraction is truncated. A missing, unparsable or non-positive value means the expiry is unknown (a JWT access
 * token's own {@code exp} then applies, see {@link Token}); a value above ten years is capped at ten years so a
 * misconfigured server cannot overflow the expiry. The issue time is the local receipt time from the
 * {@link Builder#clock(Clock) clock}.
 * <p>
 * A refresh answer without a refresh token yields a token without one; {@link io.github.tokenrefresh.core.TokenManager}
 * then keeps the old refresh token (RFC 6749 §6). HTTP 400 or 401 from the refresh URI is a rejection, so the
 * engine falls back to a full login.
 */
public final class LoginTokenSource implements TokenSource {

	private static final Log logger = LogFactory.getLog(LoginTokenSource.class);

	static final Duration MAX_LIFETIME = Duration.ofDays(3650);

	private static final JsonMapper jsonMapper = JsonMapper.builder().build();

	private final String clientName;

	private final URI loginUri;

	private final TokenEndpoints endpoints;

	private final LoginFormat format;

	private final Map<String, ?> body;

	private final @Nullable URI refreshUri;

	private final String refreshTokenField;

	private final String[] accessTokenPath;

	private final String[] refreshTokenPath;

	private final String[] expiresInPath;

	private final String[] refreshExpiresInPath;

	private final Clock clock;

	private LoginTokenSource(Builder builder) {
		this.clientName = builder.clientName;
		this.loginUri = builder.loginUri;
		this.endpoints = builder.endpoints;
		this.format = builder.format;
		this.body = builder.body;
		this.refreshUri = builder.refreshUri;
		this.refreshTokenField = builder.refreshTokenField;
		this.accessTokenPath = path(builder.accessTokenPath);
		this.refreshTokenPath = path(builder.refreshTokenPath);
		this.expiresInPath = path(builder.expiresInPath);
		this.refreshExpiresInPath = path(builder.refreshExpiresInPath);
		this.clock = builder.clock;
	}

	private static String[] path(String path) {
		return path.split("\\.", -1);
	}

	/**
	 * Start building a source for the given client.
	 * @param clientName the client name, used in messages
	 * @param loginUri the login endpoint
	 * @param endpoints the settings for token endpoint calls
	 * @return a builder
	 */
	public static Builder builder(String clientName, URI loginUri, TokenEndpoints endpoints) {
		Assert.hasText(clientName, "'clientName' must not be empty");
		Assert.notNull(loginUri, "'loginUri' must not be null");
		Assert.notNull(endpoints, "'endpoints' must not be null");
		return new Builder(clientName, loginUri, endpoints);
	}

	@Override
	public Mono<Token> acquire() {
		return post(this.loginUri, this.body);
	}

	@Override
	public Mono<Token> refresh(Token token) {
		Assert.notNull(token, "'token' must not be null");
		String refreshToken = token.getRefreshToken();
		if (this.refreshUri == null || refreshToken == null) {
			return acquire();
		}
		return post(this.refreshUri, Map.of(this.refreshTokenField, refreshToken));
	}

	private Mono<Token> post(URI uri, Map<String, ?> body) {
		return this.endpoints.call(this.clientName, uri, () -> exchange(uri, body))
			.map((bytes) -> toToken(uri, bytes))
			.doOnNext((token) -> {
				if (logger.isDebugEnabled()) {
					logger.debug("Login endpoint " + uri.getHost() + " issued a token for client '" + this.clientName
							+ "'");
				}
			});
	}

	private Mono<byte[]> exchange(URI uri, Map<String, ?> body) {
		// byte[] decoding honours the codecs' maxInMemorySize, so a huge body fails instead of filling the heap.
		return this.endpoints.webClient()
			.post()
			.uri(uri)
			.accept(MediaType.APPLICATION_JSON)
			.headers((headers) -> {
				if (this.format == LoginFormat.JSON) {
					headers.setContentType(MediaType.APPLICATION_JSON);
				}
			})
			.body(inserter(body))
			.exchangeToMono((response) -> response.bodyToMono(byte[].class))
			.defaultIfEmpty(new byte[0]);
	}

	private BodyInserter<?, ? super ClientHttpRequest> inserter(Map<String, ?> body) {
		if (this.format == LoginFormat.FORM) {
			MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
			body.forEach((name, value) -> form.add(name, (value != null) ? value.toString() : ""));
			return BodyInserters.fromFormData(form);
		}
		return BodyInserters.fromValue(jsonMapper.writeValueAsBytes(body));
	}

	private Token toToken(URI uri, byte[] body) {
		JsonNode json = parse(uri, body);
		JsonNode accessToken = find(json, this.accessTokenPath);
		if (accessToken == null || accessToken.isNull()) {
			throw invalid(uri, "the response has no access token at '" + String.join(".", this.accessTokenPath)
					+ "'; check the access-token path");
		}
		if (!accessToken.isString() || accessToken.stringValue().isBlank()) {
			throw invalid(uri, "the value at '" + String.join(".", this.accessTokenPath)
					+ "' is not a non-empty string; check the access-token path");
		}
		JsonNode refreshToken = find(json, this.refreshTokenPath);
		return Token.builder(accessToken.stringValue())
			.issuedAt(this.clock.instant())
			.expiresIn(lifetime(find(json, this.expiresInPath)))
			.refreshToken((refreshToken != null && refreshToken.isString()) ? refreshToken.stringValue() : null)
			.refreshTokenExpiresIn(lifetime(find(json, this.refreshExpiresInPath)))
			.build();
	}

	private JsonNode parse(URI uri, byte[] body) {
		if (body.length == 0) {
			throw invalid(uri, "the response body is empty; check the login URI");
		}
		JsonNode json;
		try {
			json = jsonMapper.readTree(body);
		}
		catch (JacksonException ex) {
			// No cause: parser messages may quote the body.
			throw invalid(uri, "the response is not JSON; check the login URI");
		}
		if (json == null || !json.isObject()) {
			throw invalid(uri, "the response is not a JSON object; check the login URI");
		}
		return json;
	}

	private static @Nullable JsonNode find(JsonNode json, String[] path) {
		JsonNode node = json;
		for (String segment : path) {
			if (node == null) {
				return null;
			}
			node = (node.isArray() && isIndex(segment)) ? node.get(Integer.parseInt(segment)) : node.get(segment);
		}
		return node;
	}

	private static boolean isIndex(String segment) {
		return !segment.isEmpty() && segment.length() < 10 && segment.chars().allMatch(Character::isDigit);
	}

	static @Nullable Duration lifetime(@Nullable JsonNode value) {
		BigDecimal seconds;
		if (value == null) {
			return null;
		}
		if (value.isNumber()) {
			seconds = value.decimalValue();
		}
		else if (value.isString()) {
			try {
				seconds = new BigDecimal(value.stringValue().trim());
			}
			catch (NumberFormatException ex) {
				return null;
			}
		}
		else {
			return null;
		}
		if (seconds.signum() <= 0) {
			return null;
		}
		if (seconds.compareTo(BigDecimal.valueOf(MAX_LIFETIME.toSeconds())) > 0) {
			return MAX_LIFETIME;
		}
		return Duration.ofSeconds(seconds.longValue());
	}

	private TokenAcquisitionException invalid(URI uri, String reason) {
		return TokenAcquisitionException.failed(this.clientName, uri, null, reason, null);
	}

	@Override
	public String toString() {
		// The body's values (a password) are never shown, only which fields are sent.
		return "LoginTokenSource[client=" + this.clientName + ", loginUri=" + this.loginUri + ", format=" + this.format
				+ ", body fields=" + this.body.keySet() + "]";
	}

	/**
	 * Builds a {@link LoginTokenSource}.
	 */
	public static final class Builder {

		private final String clientName;

		private final URI loginUri;

		private final TokenEndpoints endpoints;

		private LoginFormat format = LoginFormat.JSON;

		private Map<String, ?> body = Map.of();

		private @Nullable URI refreshUri;

		private String refreshTokenField = "refresh_token";

		private String accessTokenPath = "access_token";

		private String refreshTokenPath = "refresh_token";

		private String expiresInPath = "expires_in";

		private String refreshExpiresInPath = "refresh_expires_in";

		private Clock clock = Clock.systemUTC();

		private Builder(String clientName, URI loginUri, TokenEndpoints endpoints) {
			this.clientName = clientName;
			this.loginUri = loginUri;
			this.endpoints = endpoints;
		}

		/**
		 * Set how login and refresh bodies are encoded, {@link LoginFormat#JSON} by default.
		 * @param format the format
		 * @return this builder
		 */
		public Builder format(LoginFormat format) {
			Assert.notNull(format, "'format' must not be null");
			this.format = format;
			return this;
		}

		/**
		 * Set the login request's fields. It holds credentials: it is never logged.
		 * @param body the fields
		 * @return this builder
		 */
		public Builder body(Map<String, ?> body) {
			Assert.notNull(body, "'body' must not be null");
			this.body = new LinkedHashMap<>(body);
			return this;
		}

		/**
		 * Set the refresh endpoint; without one, a refresh is a new login.
		 * @param refreshUri the refresh endpoint, may be {@code null}
		 * @return this builder
		 */
		public Builder refreshUri(@Nullable URI refreshUri) {
			this.refreshUri = refreshUri;
			return this;
		}

		/**
		 * Set the field of the refresh request that carries the refresh token.
		 * @param refreshTokenField the field name
		 * @return this builder
		 */
		public Builder refreshTokenField(String refreshTokenField) {
			Assert.hasText(refreshTokenField, "'refreshTokenField' must not be empty");
			this.refreshTokenField = refreshTokenField;
			return this;
		}

		/**
		 * Set the dot path of the access token in the answer.
		 * @param accessTokenPath the path
		 * @return this builder
		 */
		public Builder accessTokenPath(String accessTokenPath) {
			this.accessTokenPath = checkPath(accessTokenPath, "accessTokenPath");
			return this;
		}

		/**
		 * Set the dot path of the refresh token in the answer.
		 * @param refreshTokenPath the path
		 * @return this builder
		 */
		public Builder refreshTokenPath(String refreshTokenPath) {
			this.refreshTokenPath = checkPath(refreshTokenPath, "refreshTokenPath");
			return this;
		}

		/**
		 * Set the dot path of the access token's lifetime in seconds in the answer.
		 * @param expiresInPath the path
		 * @return this builder
		 */
		public Builder expiresInPath(String expiresInPath) {
			this.expiresInPath = checkPath(expiresInPath, "expiresInPath");
			return this;
		}

		/**
		 * Set the dot path of the refresh token's lifetime in seconds in the answer.
		 * @param refreshExpiresInPath the path
		 * @return this builder
		 */
		public Builder refreshExpiresInPath(String refreshExpiresInPath) {
			this.refreshExpiresInPath = checkPath(refreshExpiresInPath, "refreshExpiresInPath");
			return this;
		}

		/**
		 * Set the clock that stamps the receipt time of tokens.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			Assert.notNull(clock, "'clock' must not be null");
			this.clock = clock;
			return this;
		}

		private static String checkPath(String path, String name) {
			Assert.hasText(path, () -> "'" + name + "' must not be empty");
			Assert.isTrue(!path.startsWith(".") && !path.endsWith(".") && !path.contains(".."),
					() -> "'" + name + "' must be dot-separated names, like data.token");
			return path;
		}

		/**
		 * Build the token source.
		 * @return the token source
		 */
		public LoginTokenSource build() {
			return new LoginTokenSource(this);
		}

		@Override
		public String toString() {
			return "LoginTokenSource.Builder[client=" + this.clientName + ", loginUri=" + this.loginUri
					+ ", body fields=" + this.body.keySet() + "]";
		}

	}

}
