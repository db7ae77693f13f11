package io.github.tokenrefresh.oauth2;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import com.nimbusds.jose.jwk.JWK;
import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.endpoint.AbstractWebClientReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.NimbusJwtClientAuthenticationParametersConverter;
import org.springframework.security.oauth2.client.endpoint.NimbusJwtClientAuthenticationParametersConverter.JwtClientAuthenticationContext;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;

/**
 * What a client adds to every token request besides its grant: the configured extra parameters and, for
 * private_key_jwt and client_secret_jwt, a client assertion signed by Spring Security's Nimbus converter.
 */
final class TokenRequestParameters {

	// RFC 7523 §3 wants a short-lived assertion; Spring's default of 60 seconds is longer than a token call needs.
	private static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(30);

	private final Map<String, String> parameters;

	private static final String JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

	private final @Nullable NimbusJwtClientAuthenticationParametersConverter<AbstractOAuth2AuthorizationGrantRequest> clientAssertion;

	private final @Nullable String givenAssertion;

	TokenRequestParameters(Map<String, String> parameters, @Nullable Function<ClientRegistration, JWK> jwkResolver,
			@Nullable String givenAssertion) {
		this(Collections.unmodifiableMap(new LinkedHashMap<>(parameters)),
				(jwkResolver != null) ? clientAssertion(jwkResolver) : null, givenAssertion);
	}

	private TokenRequestParameters(Map<String, String> parameters,
			@Nullable NimbusJwtClientAuthenticationParametersConverter<AbstractOAuth2AuthorizationGrantRequest> clientAssertion,
			@Nullable String givenAssertion) {
		this.parameters = parameters;
		this.clientAssertion = clientAssertion;
		this.givenAssertion = givenAssertion;
	}

	/**
	 * Return these parameters with a client assertion obtained elsewhere, for one request.
	 */
	TokenRequestParameters withClientAssertion(String assertion) {
		return new TokenRequestParameters(this.parameters,
				(NimbusJwtClientAuthenticationParametersConverter<AbstractOAuth2AuthorizationGrantRequest>) null,
				assertion);
	}

	private static NimbusJwtClientAuthenticationParametersConverter<AbstractOAuth2AuthorizationGrantRequest> clientAssertion(
			Function<ClientRegistration, JWK> jwkResolver) {
		NimbusJwtClientAuthenticationParametersConverter<AbstractOAuth2AuthorizationGrantRequest> converter = new NimbusJwtClientAuthenticationParametersConverter<>(
				jwkResolver);
		converter.setJwtClientAssertionCustomizer((context) -> customize(context, jwkResolver));
		return converter;
	}

	boolean signsClientAssertions() {
		return this.clientAssertion != null;
	}

	<T extends AbstractOAuth2AuthorizationGrantRequest, C extends AbstractWebClientReactiveOAuth2AccessTokenResponseClient<T>> C configure(
			C client) {
		client.addParametersConverter(this::convert);
		return client;
	}

	/**
	 * Add what {@link #configure} adds to the requests of a grant that Spring Security has no client for.
	 */
	void addTo(MultiValueMap<String, String> target, AbstractOAuth2AuthorizationGrantRequest request) {
		target.addAll(convert(request));
	}

	// A fresh assertion (new jti, iat and exp) for every request: the converter signs on each call.
	private MultiValueMap<String, String> convert(AbstractOAuth2AuthorizationGrantRequest request) {
		MultiValueMap<String, String> values = new LinkedMultiValueMap<>();
		if (this.clientAssertion != null) {
			MultiValueMap<String, String> assertion = this.clientAssertion.convert(request);
			if (assertion != null) {
				values.addAll(assertion);
			}
		}
		if (this.givenAssertion != null) {
			values.set("client_assertion_type", JWT_BEARER_ASSERTION_TYPE);
			values.set("client_assertion", this.givenAssertion);
		}
		this.parameters.forEach(values::set);
		return values;
	}

	// Entra ID identifies a certificate by its SHA-1 thumbprint (x5t); Nimbus adds only the SHA-256 one (x5t#S256).
	@SuppressWarnings("deprecation")
	private static void customize(JwtClientAuthenticationContext<AbstractOAuth2AuthorizationGrantRequest> context,
			 Function<ClientRegistration, JWK> resolver) {
		JWK jwk = resolver.apply(context.getAuthorizationGrantRequest().getClientRegistration());
		if (jwk != null && jwk.getX509CertThumbprint() != null) {
			context.getHeaders().x509SHA1Thumbprint(jwk.getX509CertThumbprint().toString());
		}
		Instant issuedAt = Instant.now();
		context.getClaims().issuedAt(issuedAt).expiresAt(issuedAt.plus(ASSERTION_LIFETIME));
	}

}
