package io.github.tokenrefresh.oauth2;

import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.client.endpoint.DefaultOAuth2TokenRequestHeadersConverter;
import org.springframework.security.oauth2.client.endpoint.DefaultOAuth2TokenRequestParametersConverter;
import org.springframework.security.oauth2.client.endpoint.JwtBearerGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2ClientCredentialsGrantRequest;
import org.springframework.security.oauth2.client.endpoint.OAuth2RefreshTokenGrantRequest;
import org.springframework.security.oauth2.client.endpoint.TokenExchangeGrantRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.ClientAuthenticationMethod;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.util.Assert;
import org.springframework.util.CollectionUtils;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.StringUtils;
import org.springframework.web.reactive.function.BodyInserters;

/**
 * Obtains tokens from an OAuth 2.0 token endpoint: client_credentials, refresh_token (seeded by configuration),
 * password and jwt-bearer, with the grant type taken from the {@link ClientRegistration}.
 * <p>
 * Tokens are mapped as follows: the issue time is the local receipt time from the {@link Builder#clock(Clock)
 * clock}; the expiry is that time plus {@code expires_in}. A missing, non-numeric or non-positive
 * {@code expires_in} means the expiry is unknown (a JWT access token's own {@code exp} then applies, see
 * {@link Token}); a value above ten years is capped at ten years so a misconfigured server cannot overflow the
 * expiry. The {@code refresh_expires_in} additional parameter (as Keycloak sends it) sets when the
 * refresh token expires. A 2xx answer carrying an OAuth 2.0 {@code error} is a failure like a 4xx one.
 * <p>
 * {@link #refresh(Token)} uses the refresh_token grant whenever the token has a refresh token, whatever the
 * registration's grant type, without a {@code scope} parameter so that the originally granted scopes apply
 * (RFC 6749 §6).
 */
public final class OAuth2TokenSource implements TokenSource {

	/** The resource owner password credentials grant (RFC 6749 §4.3), which Spring Security 7 removed. */
	public static final AuthorizationGrantType PASSWORD = new AuthorizationGrantType("password");

	private static final Log logger = LogFactory.getLog(OAuth2TokenSource.class);

	// A stand-in for the access token a refresh_token grant request must carry: its value is never sent.
	private static final String NO_ACCESS_TOKEN = "(none)";

	private static final Duration MAX_REFRESH_EXPIRES_IN = Duration.ofDays(3650);

	private final String clientName;

	private final TokenEndpoints endpoints;

	private final Mono<ClientRegistration> registration;

	private final @Nullable String seedRefreshToken;

	private final @Nullable String username;

	private final @Nullable String password;

	private final @Nullable Mono<String> assertion;

	private final Clock clock;

	private final TokenResponseExtractor extractor = new TokenResponseExtractor();

	private final TokenRequestParameters requestParameters;

	private final @Nullable Mono<String> clientAssertion;

	private final TokenClients clients;

	private final @Nullable Mono<String> subjectToken;

	private final @Nullable Mono<String> actorToken;

	private final @Nullable String subjectTokenType;

	private OAuth2TokenSource(Builder builder) {
		this.clientName = builder.clientName;
		this.endpoints = builder.endpoints;
		this.registration = registration(builder);
		this.seedRefreshToken = builder.refreshToken;
		this.username = builder.username;
		this.password = builder.password;
		this.assertion = builder.assertion;
		this.clock = builder.clock;
		this.requestParameters = new TokenRequestParameters(builder.parameters, builder.clientAssertionKey, null);
		this.clientAssertion = builder.clientAssertion;
		this.subjectToken = builder.subjectToken;
		this.actorToken = builder.actorToken;
		this.subjectTokenType = builder.subjectTokenType;
		this.clients = new TokenClients(this.endpoints.webClient(), this.extractor, this.requestParameters,
				this.subjectTokenType);
	}

	// Signing an assertion draws on SecureRandom (its jti, ECDSA's nonce), which may read /dev/urandom: a blocking
	// call that must not run on an event loop. Once per token, so the hop costs nothing that matters.
	private <T> Mono<T> offEventLoopWhenSigning(Mono<T> call) {
		return this.requestParameters.signsClientAssertions() ? call.subscribeOn(Schedulers.boundedElastic()) : call;
	}

	// An assertion read for each request (workload identity rotates it) needs clients configured with it.
	private Mono<TokenClients> clients(ClientRegistration registration) {
		if (this.clientAssertion == null) {
			return Mono.just(this.clients);
		}
		return this.clientAssertion
			.switchIfEmpty(Mono.error(() -> unsupported("the client assertion supplier gave none", registration)))
			.map((assertion) -> new TokenClients(this.endpoints.webClient(), this.extractor,
					this.requestParameters.withClientAssertion(assertion), this.subjectTokenType));
	}

	private Mono<ClientRegistration> registration(Builder builder) {
		if (builder.registration != null) {
			return Mono.just(builder.registration);
		}
		Assert.state(builder.repository != null && builder.registrationId != null,
				() -> "A client registration is required for client '" + builder.clientName + "'");
		ReactiveClientRegistrationRepository repository = builder.repository;
		String registrationId = builder.registrationId;
		return Mono.defer(() -> repository.findByRegistrationId(registrationId))
			.switchIfEmpty(Mono.error(() -> TokenAcquisitionException.failed(this.clientName, null, null,
					"no client registration with id '" + registrationId
							+ "'; check spring.security.oauth2.client.registration." + registrationId,
					null)));
	}

	/**
	 * Start building a source for the given client.
	 * @param clientName the client name, used in messages
	 * @param endpoints the settings for token endpoint calls
	 * @return a builder
	 */
	public static Builder builder(String clientName, TokenEndpoints endpoints) {
		Assert.hasText(clientName, "'clientName' must not be empty");
		Assert.notNull(endpoints, "'endpoints' must not be null");
		return new Builder(clientName, endpoints);
	}

	@Override
	public Mono<Token> acquire() {
		return this.registration
			.flatMap((registration) -> call(registration, (clients) -> grant(registration, clients)));
	}

	@Override
	public Mono<Token> refresh(Token token) {
		Assert.notNull(token, "'token' must not be null");
		String refreshToken = token.getRefreshToken();
		if (refreshToken == null) {
			return acquire();
		}
		// Never repeated after an ambiguous failure: the server may have rotated the refresh token already.
		return this.registration.flatMap((registration) -> call(registration, (clients) -> clients.refreshToken
			.getTokenResponse(refreshRequest(registration, token, refreshToken)), false));
	}

	private Mono<Token> call(ClientRegistration registration,
			Function<TokenClients, Mono<OAuth2AccessTokenResponse>> grant) {
		return call(registration, grant, true);
	}

	private Mono<Token> call(ClientRegistration registration,
			Function<TokenClients, Mono<OAuth2AccessTokenResponse>> grant, boolean repeatable) {
		URI tokenUri = tokenUri(registration);
		Supplier<Mono<OAuth2AccessTokenResponse>> attempt = () -> offEventLoopWhenSigning(
				checkClientAuthentication(registration).then(clients(registration)).flatMap(grant));
		return (repeatable ? this.endpoints.call(this.clientName, tokenUri, attempt)
				: this.endpoints.callNonIdempotent(this.clientName, tokenUri, attempt))
			.map(this::toToken)
			.doOnNext((token) -> issued(tokenUri, registration));
	}

	private void issued(URI tokenUri, ClientRegistration registration) {
		if (logger.isDebugEnabled()) {
			logger.debug("Token endpoint " + tokenUri.getHost() + " issued a token for client '" + this.clientName
					+ "' (" + registration.getAuthorizationGrantType().getValue() + " grant)");
		}
	}

	private URI tokenUri(ClientRegistration registration) {
		String tokenUri = registration.getProviderDetails().getTokenUri();
		if (!StringUtils.hasText(tokenUri)) {
			throw TokenAcquisitionException.failed(this.clientName, null, null,
					"the client registration has no token URI; set its provider's token-uri", null);
		}
		try {
			return URI.create(tokenUri);
		}
		catch (IllegalArgumentException ex) {
			throw TokenAcquisitionException.failed(this.clientName, null, null,
					"the client registration's token URI is not a valid URI", null);
		}
	}

	private Mono<Void> checkClientAuthentication(ClientRegistration registration) {
		ClientAuthenticationMethod method = registration.getClientAuthenticationMethod();
		if (ClientAuthenticationMethod.CLIENT_SECRET_BASIC.equals(method)
				|| ClientAuthenticationMethod.CLIENT_SECRET_POST.equals(method)
				|| ClientAuthenticationMethod.NONE.equals(method)
				|| ClientAuthenticationMethod.TLS_CLIENT_AUTH.equals(method)) {
			return Mono.empty();
		}
		if ((ClientAuthenticationMethod.PRIVATE_KEY_JWT.equals(method)
				|| ClientAuthenticationMethod.CLIENT_SECRET_JWT.equals(method))
				&& (this.requestParameters.signsClientAssertions() || this.clientAssertion != null)) {
			return Mono.empty();
		}
		return Mono.error(TokenAcquisitionException.failed(this.clientName, tokenUri(registration), null,
				"client authentication method '" + method.getValue() + "' is not supported; use "
						+ "client_secret_basic, client_secret_post, none or tls_client_auth, or give the source a "
						+ "client assertion key for private_key_jwt and client_secret_jwt",
				null));
	}

	private Mono<OAuth2AccessTokenResponse> grant(ClientRegistration registration, TokenClients clients) {
		AuthorizationGrantType grantType = registration.getAuthorizationGrantType();
		if (AuthorizationGrantType.CLIENT_CREDENTIALS.equals(grantType)) {
			return clients.clientCredentials.getTokenResponse(new OAuth2ClientCredentialsGrantRequest(registration));
		}
		if (AuthorizationGrantType.REFRESH_TOKEN.equals(grantType)) {
			return seededRefresh(registration, clients);
		}
		if (AuthorizationGrantType.JWT_BEARER.equals(grantType)) {
			return jwtBearer(registration, clients);
		}
		if (PASSWORD.equals(grantType)) {
			return password(registration, clients);
		}
		if (AuthorizationGrantType.TOKEN_EXCHANGE.equals(grantType)) {
			return tokenExchange(registration, clients);
		}
		return Mono.error(unsupported("grant type '" + grantType.getValue()
				+ "' is not supported; use client_credentials, refresh_token, password or "
				+ AuthorizationGrantType.JWT_BEARER.getValue(), registration));
	}

	private Mono<OAuth2AccessTokenResponse> seededRefresh(ClientRegistration registration, TokenClients clients) {
		if (this.seedRefreshToken == null) {
			return Mono.error(unsupported("the refresh_token grant needs a configured refresh token", registration));
		}
		OAuth2AccessToken none = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, NO_ACCESS_TOKEN, null,
				null);
		return clients.refreshToken.getTokenResponse(new OAuth2RefreshTokenGrantRequest(registration, none,
				new OAuth2RefreshToken(this.seedRefreshToken, null), Set.of()));
	}

	private OAuth2RefreshTokenGrantRequest refreshRequest(ClientRegistration registration, Token token,
			String refreshToken) {
		Instant expiresAt = token.getExpiresAt();
		// OAuth2AccessToken insists on expiresAt > issuedAt; the value is only informative here.
		if (expiresAt != null && !expiresAt.isAfter(token.getIssuedAt())) {
			expiresAt = null;
		}
		OAuth2AccessToken accessToken = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER,
				token.getAccessToken(), token.getIssuedAt(), expiresAt, token.getScopes());
		return new OAuth2RefreshTokenGrantRequest(registration, accessToken, new OAuth2RefreshToken(refreshToken, null),
				Set.of());
	}

	private Mono<OAuth2AccessTokenResponse> jwtBearer(ClientRegistration registration, TokenClients clients) {
		if (this.assertion == null) {
			return Mono.error(unsupported("the jwt-bearer grant needs an assertion", registration));
		}
		return this.assertion
			.switchIfEmpty(Mono.error(() -> unsupported("the assertion supplier gave no assertion", registration)))
			.map((assertion) -> decode(assertion, registration))
			.flatMap((jwt) -> clients.jwtBearer.getTokenResponse(new JwtBearerGrantRequest(registration, jwt)));
	}

	// JwtBearerGrantRequest wants a decoded Jwt, yet only sends its token value: decode without verifying,
	// the token endpoint verifies the assertion.
	private Jwt decode(String assertion, ClientRegistration registration) {
		try {
			JWT jwt = JWTParser.parse(assertion);
			JWTClaimsSet claimsSet = jwt.getJWTClaimsSet();
			Map<String, Object> claims = (claimsSet != null) ? new LinkedHashMap<>(claimsSet.toJSONObject())
					: Map.of();
			if (claims.isEmpty()) {
				throw unsupported("the assertion has no readable claims", registration);
			}
			for (String name : new String[] { "iat", "exp", "nbf" }) {
				if (claims.get(name) instanceof Number seconds) {
					claims.put(name, Instant.ofEpochSecond(seconds.longValue()));
				}
			}
			return Jwt.withTokenValue(assertion)
				.headers((headers) -> headers.putAll(jwt.getHeader().toJSONObject()))
				.claims((values) -> values.putAll(claims))
				.build();
		}
		catch (ParseException | IllegalArgumentException ex) {
			// No cause: parser messages may quote the assertion.
			throw unsupported("the assertion is not a well-formed JWT", registration);
		}
	}

	// RFC 8693: the subject (and actor) tokens are read for each exchange, so a rotated one is used as it changes.
	private Mono<OAuth2AccessTokenResponse> tokenExchange(ClientRegistration registration, TokenClients clients) {
		if (this.subjectToken == null) {
			return Mono.error(unsupported("the token-exchange grant needs a subject token", registration));
		}
		Mono<Optional<OAuth2AccessToken>> actor = (this.actorToken != null)
				? this.actorToken.map((value) -> Optional.of(bearer(value))) : Mono.just(Optional.empty());
		return this.subjectToken
			.switchIfEmpty(Mono.error(() -> unsupported("the subject token supplier gave none", registration)))
			.zipWith(actor)
			.flatMap((tokens) -> clients.tokenExchange.getTokenResponse(new TokenExchangeGrantRequest(registration,
					bearer(tokens.getT1()), tokens.getT2().orElse(null))));
	}

	private static OAuth2AccessToken bearer(String value) {
		return new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, value, null, null);
	}

	private Mono<OAuth2AccessTokenResponse> password(ClientRegistration registration, TokenClients clients) {
		if (this.username == null || this.password == null) {
			return Mono.error(unsupported("the password grant needs a username and a password", registration));
		}
		PasswordGrantRequest request = new PasswordGrantRequest(registration, this.username, this.password);
		HttpHeaders headers = new DefaultOAuth2TokenRequestHeadersConverter<PasswordGrantRequest>().convert(request);
		MultiValueMap<String, String> parameters = new LinkedMultiValueMap<>(
				new DefaultOAuth2TokenRequestParametersConverter<PasswordGrantRequest>().convert(request));
		parameters.set("username", request.getUsername());
		parameters.set("password", request.getPassword());
		if (!CollectionUtils.isEmpty(registration.getScopes())) {
			parameters.set(OAuth2ParameterNames.SCOPE,
					StringUtils.collectionToDelimitedString(registration.getScopes(), " "));
		}
		clients.parameters.addTo(parameters, request);
		return this.endpoints.webClient()
			.post()
			.uri(tokenUri(registration))
			.headers((target) -> target.addAll(headers))
			.body(BodyInserters.fromFormData(parameters))
			.exchangeToMono((response) -> response.body(this.extractor));
	}

	private TokenAcquisitionException unsupported(String reason, ClientRegistration registration) {
		return TokenAcquisitionException.failed(this.clientName, tokenUri(registration), null, reason, null);
	}

	private Token toToken(OAuth2AccessTokenResponse response) {
		OAuth2AccessToken accessToken = response.getAccessToken();
		Map<String, Object> parameters = response.getAdditionalParameters();
		Long expiresIn = (parameters.get(TokenResponseExtractor.EXPIRES_IN) instanceof Long seconds) ? seconds
				: null;
		Long refreshExpiresIn = TokenResponseExtractor.expiresIn(parameters.get("refresh_expires_in"));
		OAuth2RefreshToken refreshToken = response.getRefreshToken();
		return Token.builder(accessToken.getTokenValue())
			.tokenType(accessToken.getTokenType().getValue())
			.issuedAt(this.clock.instant())
			.expiresIn((expiresIn != null) ? Duration.ofSeconds(expiresIn) : null)
			.refreshToken((refreshToken != null) ? refreshToken.getTokenValue() : null)
			.refreshTokenExpiresIn((refreshExpiresIn != null)
					? min(Duration.ofSeconds(refreshExpiresIn), MAX_REFRESH_EXPIRES_IN) : null)
			.scopes(accessToken.getScopes())
			.build();
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	@Override
	public String toString() {
		// Not the registration: ClientRegistration.toString() shows the client secret.
		return "OAuth2TokenSource[client=" + this.clientName + "]";
	}

	/**
	 * Builds an {@link OAuth2TokenSource}. Exactly one of the two {@code registration} methods must be called.
	 */
	public static final class Builder {

		private final String clientName;

		private final TokenEndpoints endpoints;

		private @Nullable ClientRegistration registration;

		private @Nullable String registrationId;

		private @Nullable ReactiveClientRegistrationRepository repository;

		private @Nullable String refreshToken;

		private @Nullable String username;

		private @Nullable String password;

		private @Nullable Mono<String> assertion;

		private Clock clock = Clock.systemUTC();

		private final Map<String, String> parameters = new LinkedHashMap<>();

		private @Nullable Function<ClientRegistration, JWK> clientAssertionKey;

		private @Nullable Mono<String> clientAssertion;

		private @Nullable Mono<String> subjectToken;

		private @Nullable Mono<String> actorToken;

		private @Nullable String subjectTokenType;

		private Builder(String clientName, TokenEndpoints endpoints) {
			this.clientName = clientName;
			this.endpoints = endpoints;
		}

		/**
		 * Use the given registration. For the password grant, give it
		 * {@code authorizationGrantType(OAuth2TokenSource.PASSWORD)}.
		 * @param registration the client registration
		 * @return this builder
		 */
		public Builder registration(ClientRegistration registration) {
			Assert.notNull(registration, "'registration' must not be null");
			this.registration = registration;
			this.registrationId = null;
			this.repository = null;
			return this;
		}

		/**
		 * Look the registration up by id in the repository, at the first token call.
		 * @param registrationId the registration id
		 * @param repository the repository
		 * @return this builder
		 */
		public Builder registration(String registrationId, ReactiveClientRegistrationRepository repository) {
			Assert.hasText(registrationId, "'registrationId' must not be empty");
			Assert.notNull(repository, "'repository' must not be null");
			this.registrationId = registrationId;
			this.repository = repository;
			this.registration = null;
			return this;
		}

		/**
		 * Set the refresh token the refresh_token grant starts from.
		 * @param refreshToken the seed refresh token
		 * @return this builder
		 */
		public Builder refreshToken(@Nullable String refreshToken) {
			this.refreshToken = StringUtils.hasText(refreshToken) ? refreshToken : null;
			return this;
		}

		/**
		 * Set the resource owner's username for the password grant.
		 * @param username the username
		 * @return this builder
		 */
		public Builder username(@Nullable String username) {
			this.username = username;
			return this;
		}

		/**
		 * Set the resource owner's password for the password grant.
		 * @param password the password
		 * @return this builder
		 */
		public Builder password(@Nullable String password) {
			this.password = password;
			return this;
		}

		/**
		 * Set where the jwt-bearer grant's assertion (RFC 7523) comes from; subscribed once per token call.
		 * @param assertion the assertion supplier
		 * @return this builder
		 */
		public Builder assertion(@Nullable Mono<String> assertion) {
			this.assertion = assertion;
			return this;
		}

		/**
		 * Add form parameters to every token request, such as {@code audience} or {@code resource} (RFC 8707).
		 * @param parameters the parameters by name
		 * @return this builder
		 */
		public Builder parameters(Map<String, String> parameters) {
			Assert.notNull(parameters, "'parameters' must not be null");
			this.parameters.putAll(parameters);
			return this;
		}

		/**
		 * Set the key that signs the client assertion (RFC 7523 §2.2) of a registration whose client
		 * authentication method is private_key_jwt (an RSA or EC key) or client_secret_jwt (an octet key). A
		 * new assertion is signed for every token request.
		 * @param clientAssertionKey the key of a registration
		 * @return this builder
		 */
		public Builder clientAssertionKey(@Nullable Function<ClientRegistration, JWK> clientAssertionKey) {
			this.clientAssertionKey = clientAssertionKey;
			return this;
		}

		/**
		 * Set where the client assertion of a private_key_jwt registration comes from when it is not signed here
		 * (workload identity: a JWT the platform rotates in a file); subscribed once per token request and sent
		 * as {@code client_assertion} of type {@code urn:ietf:params:oauth:client-assertion-type:jwt-bearer}.
		 * @param clientAssertion the client assertion supplier
		 * @return this builder
		 */
		public Builder clientAssertion(@Nullable Mono<String> clientAssertion) {
			this.clientAssertion = clientAssertion;
			return this;
		}

		/**
		 * Set where the token-exchange grant's subject token (RFC 8693) comes from; subscribed once per exchange.
		 * @param subjectToken the subject token supplier
		 * @return this builder
		 */
		public Builder subjectToken(@Nullable Mono<String> subjectToken) {
			this.subjectToken = subjectToken;
			return this;
		}

		/**
		 * Set the {@code subject_token_type} sent with the subject token; an access token by default.
		 * @param subjectTokenType the token type URN
		 * @return this builder
		 */
		public Builder subjectTokenType(@Nullable String subjectTokenType) {
			this.subjectTokenType = subjectTokenType;
			return this;
		}

		/**
		 * Set where the token-exchange grant's optional actor token comes from; subscribed once per exchange.
		 * @param actorToken the actor token supplier
		 * @return this builder
		 */
		public Builder actorToken(@Nullable Mono<String> actorToken) {
			this.actorToken = actorToken;
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

		/**
		 * Build the token source.
		 * @return the token source
		 */
		public OAuth2TokenSource build() {
			Assert.state(this.registration != null || this.repository != null,
					() -> "A client registration is required for client '" + this.clientName + "'");
			return new OAuth2TokenSource(this);
		}

		@Override
		public String toString() {
			return "OAuth2TokenSource.Builder[client=" + this.clientName + "]";
		}

	}

}
