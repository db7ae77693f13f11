package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.login.LoginFormat;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Configuration properties of token-refresh: the store and the named clients whose WebClient requests carry a
 * token.
 */
@ConfigurationProperties("token-refresh")
public class TokenRefreshProperties {

	/**
	 * Whether token-refresh is enabled.
	 */
	private boolean enabled = true;

	/**
	 * Whether WebClient, RestClient and RestTemplate beans the application built without Boot's builders get the
	 * token filter or interceptor too.
	 */
	private boolean applyToAllWebClients = true;

	/**
	 * Where tokens are kept between requests.
	 */
	private final Store store = new Store();

	/**
	 * Clients by name. The name is the bean name of the client's WebClient and the key of its token in the store. A
	 * TokenSource bean named after the client, such as 'billingTokenSource' for client 'billing', replaces the token
	 * source that the client's properties describe.
	 */
	private final Map<String, Client> clients = new LinkedHashMap<>();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public boolean isApplyToAllWebClients() {
		return this.applyToAllWebClients;
	}

	public void setApplyToAllWebClients(boolean applyToAllWebClients) {
		this.applyToAllWebClients = applyToAllWebClients;
	}

	public Store getStore() {
		return this.store;
	}

	public Map<String, Client> getClients() {
		return this.clients;
	}

	@Override
	public String toString() {
		return "TokenRefreshProperties[clients=" + this.clients.keySet() + "]";
	}

	/**
	 * Token store settings.
	 */
	public static class Store {

		/**
		 * Type of store: in-memory for a single instance, redis to share tokens across instances.
		 */
		private Type type = Type.IN_MEMORY;

		/**
		 * Prefix of every store key; a namespace, a fingerprint of the client's identity and the client name
		 * follow it.
		 */
		private String keyPrefix = "token-refresh:";

		/**
		 * Namespace of the store keys, so that applications sharing a Redis never share a token by accident;
		 * spring.application.name by default. Applications that set the same namespace share the tokens of
		 * identically configured clients.
		 */
		private @Nullable String namespace;

		public Type getType() {
			return this.type;
		}

		public void setType(Type type) {
			this.type = type;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public @Nullable String getNamespace() {
			return this.namespace;
		}

		public void setNamespace(@Nullable String namespace) {
			this.namespace = namespace;
		}

		/**
		 * Kinds of token store.
		 */
		public enum Type {

			/**
			 * Tokens live in this process's memory.
			 */
			IN_MEMORY,

			/**
			 * Tokens live in Redis, shared by every instance of the application.
			 */
			REDIS

		}

	}

	/**
	 * A client: where its token comes from, which requests get it, and how it is kept fresh.
	 */
	public static class Client {

		/**
		 * Base URL whose requests get this client's token; matched on scheme, host, port and whole path segments.
		 * Also the base URL of the client's WebClient bean.
		 */
		private @Nullable String baseUrl;

		/**
		 * ID of a registration under 'spring.security.oauth2.client.registration' to obtain tokens with. One of
		 * registration-id, token-uri, issuer-uri and login.uri is required.
		 */
		private @Nullable String registrationId;

		/**
		 * Token endpoint URI of an OAuth 2.0 authorization server. One of registration-id, token-uri,
		 * issuer-uri and login.uri is required.
		 */
		private @Nullable String tokenUri;

		/**
		 * Issuer identifier of an OAuth 2.0 authorization server whose token endpoint is discovered, on first use,
		 * from its OpenID Connect configuration or its RFC 8414 metadata. One of registration-id, token-uri,
		 * issuer-uri and login.uri is required.
		 */
		private @Nullable String issuerUri;

		/**
		 * OAuth 2.0 grant type used with token-uri: client_credentials, refresh_token, password, jwt-bearer or
		 * token-exchange. Defaults to client_credentials.
		 */
		private @Nullable String grantType;

		/**
		 * OAuth 2.0 client ID used with token-uri.
		 */
		private @Nullable String clientId;

		/**
		 * OAuth 2.0 client secret used with token-uri.
		 */
		private @Nullable String clientSecret;

		/**
		 * How the client authenticates to the token endpoint: client_secret_basic, client_secret_post, none,
		 * client_secret_jwt (an HS256 assertion signed with client-secret) or private_key_jwt (an assertion signed
		 * with the private key of ssl-bundle).
		 */
		private String clientAuthenticationMethod = "client_secret_basic";

		/**
		 * Name of a Spring Boot SSL bundle (spring.ssl.bundle.*) whose private key, RSA or EC P-256, signs the
		 * client assertion of private_key_jwt; its certificate's thumbprints go into the assertion's header.
		 */
		private @Nullable String sslBundle;

		/**
		 * Key ID sent as the 'kid' header of the private_key_jwt client assertion.
		 */
		private @Nullable String keyId;

		/**
		 * File holding the client assertion of private_key_jwt, a signed JWT that the platform rotates (workload
		 * identity); read again for every token request. Use instead of ssl-bundle.
		 */
		private @Nullable String clientAssertionFile;

		/**
		 * File holding the signed JWT sent as the assertion for grant type jwt-bearer; read again for every token
		 * request. Use instead of assertion.
		 */
		private @Nullable String assertionFile;

		/**
		 * File holding the subject token for grant type token-exchange (RFC 8693); read again for every exchange.
		 * One of subject-token-file and subject-client is required with token-exchange.
		 */
		private @Nullable String subjectTokenFile;

		/**
		 * Name of another client under token-refresh.clients whose current access token is the subject token for
		 * grant type token-exchange.
		 */
		private @Nullable String subjectClient;

		/**
		 * Token type URN of the subject token for grant type token-exchange.
		 */
		private String subjectTokenType = "urn:ietf:params:oauth:token-type:access_token";

		/**
		 * File holding the optional actor token for grant type token-exchange; read again for every exchange.
		 */
		private @Nullable String actorTokenFile;

		/**
		 * Extra form parameters sent with every token request, such as audience or resource (RFC 8707).
		 */
		private final Map<String, String> parameters = new LinkedHashMap<>();

		/**
		 * Scopes requested with token-uri.
		 */
		private Set<String> scope = new LinkedHashSet<>();

		/**
		 * Resource owner username for grant type password.
		 */
		private @Nullable String username;

		/**
		 * Resource owner password for grant type password.
		 */
		private @Nullable String password;

		/**
		 * Initial refresh token for grant type refresh_token.
		 */
		private @Nullable String refreshToken;

		/**
		 * Signed JWT sent as the assertion for grant type jwt-bearer (RFC 7523).
		 */
		private @Nullable String assertion;

		/**
		 * In-house login and refresh endpoints to obtain tokens from instead of an OAuth 2.0 token endpoint.
		 */
		private final Login login = new Login();

		/**
		 * How long before expiry a token is replaced before it is used; capped at half the token's lifetime.
		 */
		private Duration refreshBeforeExpiry = Duration.ofSeconds(60);

		/**
		 * How long before expiry a background refresh starts while the current token is still used; 0 turns
		 * background refresh off.
		 */
		private Duration refreshAhead = Duration.ZERO;

		/**
		 * How many times a request answered with 401 is sent again with a new token; 0 never retries.
		 */
		private int retryOnUnauthorized = 1;

		/**
		 * How long requests fail without calling the token endpoint after it rejected the client's credentials.
		 */
		private Duration rejectionCooldown = Duration.ofSeconds(5);

		/**
		 * Shortest time between two token replacements caused by a 401; a 401 within it is returned to the caller
		 * with the token kept. 0 replaces the token on every 401.
		 */
		private Duration unauthorizedRefreshInterval = Duration.ofSeconds(5);

		/**
		 * Largest request body kept to be sent again after a 401 when it cannot be written anew (a Publisher); a
		 * larger one is not sent again and the caller gets the 401.
		 */
		private DataSize maxReplayBodySize = DataSize.ofMegabytes(1);

		/**
		 * Timeout of each token-endpoint call. When not set, the shared TokenEndpoints' timeout (10 seconds unless
		 * replaced by a bean of your own) applies; when set, the shared TokenEndpoints are used with this timeout.
		 */
		private @Nullable Duration timeout;

		/**
		 * Request header that carries the token.
		 */
		private String headerName = "Authorization";

		/**
		 * Text that precedes the token in the header value.
		 */
		private String headerPrefix = "Bearer ";

		/**
		 * Whether to register a WebClient bean named after the client and a RestClient bean named
		 * '<client>RestClient', both with base-url as their base URL.
		 */
		private boolean registerBean = true;

		/**
		 * Whether tokens are obtained and refreshed on demand. When false, only an explicit TokenManager.refresh()
		 * obtains a token and requests fail once it expired.
		 */
		private boolean autoRefresh = true;

		public @Nullable String getBaseUrl() {
			return this.baseUrl;
		}

		public void setBaseUrl(@Nullable String baseUrl) {
			this.baseUrl = baseUrl;
		}

		public @Nullable String getRegistrationId() {
			return this.registrationId;
		}

		public void setRegistrationId(@Nullable String registrationId) {
			this.registrationId = registrationId;
		}

		public @Nullable String getTokenUri() {
			return this.tokenUri;
		}

		public void setTokenUri(@Nullable String tokenUri) {
			this.tokenUri = tokenUri;
		}

		public @Nullable String getIssuerUri() {
			return this.issuerUri;
		}

		public void setIssuerUri(@Nullable String issuerUri) {
			this.issuerUri = issuerUri;
		}

		public @Nullable String getGrantType() {
			return this.grantType;
		}

		public void setGrantType(@Nullable String grantType) {
			this.grantType = grantType;
		}

		public @Nullable String getClientId() {
			return this.clientId;
		}

		public void setClientId(@Nullable String clientId) {
			this.clientId = clientId;
		}

		public @Nullable String getClientSecret() {
			return this.clientSecret;
		}

		public void setClientSecret(@Nullable String clientSecret) {
			this.clientSecret = clientSecret;
		}

		public String getClientAuthenticationMethod() {
			return this.clientAuthenticationMethod;
		}

		public void setClientAuthenticationMethod(String clientAuthenticationMethod) {
			this.clientAuthenticationMethod = clientAuthenticationMethod;
		}

		public Set<String> getScope() {
			return this.scope;
		}

		public void setScope(Set<String> scope) {
			this.scope = scope;
		}

		public @Nullable String getSslBundle() {
			return this.sslBundle;
		}

		public void setSslBundle(@Nullable String sslBundle) {
			this.sslBundle = sslBundle;
		}

		public @Nullable String getKeyId() {
			return this.keyId;
		}

		public void setKeyId(@Nullable String keyId) {
			this.keyId = keyId;
		}

		public @Nullable String getClientAssertionFile() {
			return this.clientAssertionFile;
		}

		public void setClientAssertionFile(@Nullable String clientAssertionFile) {
			this.clientAssertionFile = clientAssertionFile;
		}

		public @Nullable String getAssertionFile() {
			return this.assertionFile;
		}

		public void setAssertionFile(@Nullable String assertionFile) {
			this.assertionFile = assertionFile;
		}

		public @Nullable String getSubjectTokenFile() {
			return this.subjectTokenFile;
		}

		public void setSubjectTokenFile(@Nullable String subjectTokenFile) {
			this.subjectTokenFile = subjectTokenFile;
		}

		public @Nullable String getSubjectClient() {
			return this.subjectClient;
		}

		public void setSubjectClient(@Nullable String subjectClient) {
			this.subjectClient = subjectClient;
		}

		public String getSubjectTokenType() {
			return this.subjectTokenType;
		}

		public void setSubjectTokenType(String subjectTokenType) {
			this.subjectTokenType = subjectTokenType;
		}

		public @Nullable String getActorTokenFile() {
			return this.actorTokenFile;
		}

		public void setActorTokenFile(@Nullable String actorTokenFile) {
			this.actorTokenFile = actorTokenFile;
		}

		public Map<String, String> getParameters() {
			return this.parameters;
		}

		public @Nullable String getUsername() {
			return this.username;
		}

		public void setUsername(@Nullable String username) {
			this.username = username;
		}

		public @Nullable String getPassword() {
			return this.password;
		}

		public void setPassword(@Nullable String password) {
			this.password = password;
		}

		public @Nullable String getRefreshToken() {
			return this.refreshToken;
		}

		public void setRefreshToken(@Nullable String refreshToken) {
			this.refreshToken = refreshToken;
		}

		public @Nullable String getAssertion() {
			return this.assertion;
		}

		public void setAssertion(@Nullable String assertion) {
			this.assertion = assertion;
		}

		public Login getLogin() {
			return this.login;
		}

		public Duration getRefreshBeforeExpiry() {
			return this.refreshBeforeExpiry;
		}

		public void setRefreshBeforeExpiry(Duration refreshBeforeExpiry) {
			this.refreshBeforeExpiry = refreshBeforeExpiry;
		}

		public Duration getRefreshAhead() {
			return this.refreshAhead;
		}

		public void setRefreshAhead(Duration refreshAhead) {
			this.refreshAhead = refreshAhead;
		}

		public int getRetryOnUnauthorized() {
			return this.retryOnUnauthorized;
		}

		public void setRetryOnUnauthorized(int retryOnUnauthorized) {
			this.retryOnUnauthorized = retryOnUnauthorized;
		}

		public Duration getRejectionCooldown() {
			return this.rejectionCooldown;
		}

		public void setRejectionCooldown(Duration rejectionCooldown) {
			this.rejectionCooldown = rejectionCooldown;
		}

		public Duration getUnauthorizedRefreshInterval() {
			return this.unauthorizedRefreshInterval;
		}

		public void setUnauthorizedRefreshInterval(Duration unauthorizedRefreshInterval) {
			this.unauthorizedRefreshInterval = unauthorizedRefreshInterval;
		}

		public DataSize getMaxReplayBodySize() {
			return this.maxReplayBodySize;
		}

		public void setMaxReplayBodySize(DataSize maxReplayBodySize) {
			this.maxReplayBodySize = maxReplayBodySize;
		}

		public @Nullable Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(@Nullable Duration timeout) {
			this.timeout = timeout;
		}

		public String getHeaderName() {
			return this.headerName;
		}

		public void setHeaderName(String headerName) {
			this.headerName = headerName;
		}

		public String getHeaderPrefix() {
			return this.headerPrefix;
		}

		public void setHeaderPrefix(String headerPrefix) {
			this.headerPrefix = headerPrefix;
		}

		public boolean isRegisterBean() {
			return this.registerBean;
		}

		public void setRegisterBean(boolean registerBean) {
			this.registerBean = registerBean;
		}

		public boolean isAutoRefresh() {
			return this.autoRefresh;
		}

		public void setAutoRefresh(boolean autoRefresh) {
			this.autoRefresh = autoRefresh;
		}

		@Override
		public String toString() {
			// Credentials (client secret, password, refresh token, assertion, login body) are never shown.
			return "Client[registrationId=" + this.registrationId + ", tokenUri=" + getTokenUri() + ", clientId="
					+ this.clientId + "]";
		}

	}

	/**
	 * In-house login and refresh endpoints.
	 */
	public static class Login {

		/**
		 * URI that the login body is POSTed to. One of registration-id, token-uri, issuer-uri and login.uri
		 * is required.
		 */
		private @Nullable String uri;

		/**
		 * Encoding of the login and refresh request bodies: json or form.
		 */
		private LoginFormat format = LoginFormat.JSON;

		/**
		 * Fields of the login request body, such as username and password.
		 */
		private final Map<String, Object> body = new LinkedHashMap<>();

		/**
		 * URI that the refresh token is POSTed to. When not set, an expired token is replaced by a new login.
		 */
		private @Nullable String refreshUri;

		/**
		 * Name of the refresh request's field that carries the refresh token.
		 */
		private String refreshTokenField = "refresh_token";

		/**
		 * Dot path of the access token in the response.
		 */
		private String accessTokenPath = "access_token";

		/**
		 * Dot path of the refresh token in the response.
		 */
		private String refreshTokenPath = "refresh_token";

		/**
		 * Dot path of the access token's lifetime in seconds in the response.
		 */
		private String expiresInPath = "expires_in";

		/**
		 * Dot path of the refresh token's lifetime in seconds in the response.
		 */
		private @Nullable String refreshExpiresInPath;

		public @Nullable String getUri() {
			return this.uri;
		}

		public void setUri(@Nullable String uri) {
			this.uri = uri;
		}

		public LoginFormat getFormat() {
			return this.format;
		}

		public void setFormat(LoginFormat format) {
			this.format = format;
		}

		public Map<String, Object> getBody() {
			return this.body;
		}

		public @Nullable String getRefreshUri() {
			return this.refreshUri;
		}

		public void setRefreshUri(@Nullable String refreshUri) {
			this.refreshUri = refreshUri;
		}

		public String getRefreshTokenField() {
			return this.refreshTokenField;
		}

		public void setRefreshTokenField(String refreshTokenField) {
			this.refreshTokenField = refreshTokenField;
		}

		public String getAccessTokenPath() {
			return this.accessTokenPath;
		}

		public void setAccessTokenPath(String accessTokenPath) {
			this.accessTokenPath = accessTokenPath;
		}

		public String getRefreshTokenPath() {
			return this.refreshTokenPath;
		}

		public void setRefreshTokenPath(String refreshTokenPath) {
			this.refreshTokenPath = refreshTokenPath;
		}

		public String getExpiresInPath() {
			return this.expiresInPath;
		}

		public void setExpiresInPath(String expiresInPath) {
			this.expiresInPath = expiresInPath;
		}

		public @Nullable String getRefreshExpiresInPath() {
			return this.refreshExpiresInPath;
		}

		public void setRefreshExpiresInPath(@Nullable String refreshExpiresInPath) {
			this.refreshExpiresInPath = refreshExpiresInPath;
		}

		@Override
		public String toString() {
			return "Login[uri=" + this.uri + ", body fields=" + this.body.keySet() + "]";
		}

	}

}
