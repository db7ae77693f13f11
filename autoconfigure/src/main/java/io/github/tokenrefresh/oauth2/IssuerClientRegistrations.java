package io.github.tokenrefresh.oauth2;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import org.springframework.util.Assert;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The registration of one client whose token endpoint is discovered from its issuer: the OpenID Connect
 * configuration ({@code <issuer>/.well-known/openid-configuration}), else the RFC 8414 authorization server
 * metadata ({@code /.well-known/oauth-authorization-server} inserted before the issuer's path). Resolved on the
 * first token call, not at startup, so that an application starts while its issuer is down; a failed resolution
 * is not remembered, so the next call tries again, and a successful one is kept.
 */
public final class IssuerClientRegistrations implements ReactiveClientRegistrationRepository {

	private static final Log logger = LogFactory.getLog(IssuerClientRegistrations.class);

	private static final ParameterizedTypeReference<Map<String, Object>> METADATA = new ParameterizedTypeReference<>() {
	};

	private final String clientName;

	private final String registrationId;

	private final URI issuer;

	private final TokenEndpoints endpoints;

	private final Function<String, ClientRegistration> registration;

	private final Mono<ClientRegistration> resolved;

	/**
	 * Create the registration of a client.
	 * @param clientName the client's name, for messages
	 * @param registrationId the ID the registration is looked up by
	 * @param issuer the issuer identifier
	 * @param endpoints the settings for the metadata calls (timeout, retries, TLS, no redirects)
	 * @param registration builds the registration from the discovered token endpoint URI
	 */
	public IssuerClientRegistrations(String clientName, String registrationId, URI issuer, TokenEndpoints endpoints,
			Function<String, ClientRegistration> registration) {
		Assert.hasText(clientName, "'clientName' must not be empty");
		Assert.hasText(registrationId, "'registrationId' must not be empty");
		Assert.notNull(issuer, "'issuer' must not be null");
		Assert.notNull(endpoints, "'endpoints' must not be null");
		Assert.notNull(registration, "'registration' must not be null");
		this.clientName = clientName;
		this.registrationId = registrationId;
		this.issuer = issuer;
		this.endpoints = endpoints;
		this.registration = registration;
		// Concurrent first calls share one discovery; an error is not cached (cacheInvalidateIf keeps only values).
		this.resolved = Mono.defer(this::discover).cacheInvalidateIf((value) -> false);
	}

	@Override
	public Mono<ClientRegistration> findByRegistrationId(String registrationId) {
		return this.registrationId.equals(registrationId) ? this.resolved : Mono.empty();
	}

	private Mono<ClientRegistration> discover() {
		List<URI> locations = locations(this.issuer);
		return this.endpoints.call(this.clientName, this.issuer, () -> fetch(locations, 0))
			.onErrorMap(this::unreachable)
			.map(this::toRegistration);
	}

	private Mono<Map<String, Object>> fetch(List<URI> locations, int index) {
		URI location = locations.get(index);
		Mono<Map<String, Object>> metadata = this.endpoints.webClient()
			.get()
			.uri(location)
			.retrieve()
			.bodyToMono(METADATA);
		if (index + 1 == locations.size()) {
			return metadata;
		}
		return metadata.onErrorResume((ex) -> fetch(locations, index + 1));
	}

	private ClientRegistration toRegistration(Map<String, Object> metadata) {
		// OpenID Connect Discovery §4.3 and RFC 8414 §3.3: metadata for another issuer must not be used.
		if (!this.issuer.toString().equals(metadata.get("issuer"))) {
			throw own("the metadata names another issuer; set issuer-uri to the issuer's exact identifier");
		}
		if (!(metadata.get("token_endpoint") instanceof String tokenEndpoint) || tokenEndpoint.isBlank()) {
			throw own("the issuer's metadata has no token_endpoint");
		}
		ClientRegistration registration = this.registration.apply(tokenEndpoint);
		List<?> methods = (metadata.get("token_endpoint_auth_methods_supported") instanceof List<?> list) ? list
				: null;
		String method = registration.getClientAuthenticationMethod().getValue();
		if (methods != null && !methods.contains(method)) {
			throw own("the issuer does not support client authentication method " + method + "; it supports "
					+ methods);
		}
		if (logger.isDebugEnabled()) {
			logger.debug("Issuer " + this.issuer + " has token endpoint " + tokenEndpoint + " for client '"
					+ this.clientName + "'");
		}
		return registration;
	}

	private TokenAcquisitionException own(String reason) {
		return TokenAcquisitionException.failed(this.clientName, this.issuer, null, reason, null);
	}

	private TokenAcquisitionException unreachable(Throwable ex) {
		return TokenAcquisitionException.failed(this.clientName, this.issuer, null,
				"the issuer's metadata could not be read (" + reason(ex) + "); check issuer-uri and that the issuer "
						+ "is reachable",
				ex);
	}

	private static String reason(Throwable ex) {
		String message = ex.getMessage();
		int colon = (message != null) ? message.indexOf(": ") : -1;
		return (colon >= 0) ? message.substring(colon + 2) : ex.getClass().getSimpleName();
	}

	static List<URI> locations(URI issuer) {
		String path = (issuer.getRawPath() != null) ? issuer.getRawPath() : "";
		String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
		UriComponentsBuilder root = UriComponentsBuilder.fromUri(issuer).replacePath(null).replaceQuery(null);
		URI openId = root.cloneBuilder().path(trimmed + "/.well-known/openid-configuration").build(true).toUri();
		URI oauth = root.cloneBuilder().path("/.well-known/oauth-authorization-server" + trimmed).build(true).toUri();
		if (trimmed.isEmpty()) {
			return List.of(openId, oauth);
		}
		URI openIdInserted = root.cloneBuilder()
			.path("/.well-known/openid-configuration" + trimmed)
			.build(true)
			.toUri();
		return List.of(openId, openIdInserted, oauth);
	}

}
