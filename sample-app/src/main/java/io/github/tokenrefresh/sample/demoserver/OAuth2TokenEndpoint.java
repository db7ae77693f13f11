package io.github.tokenrefresh.sample.demoserver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Api;
import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Counters;
import io.github.tokenrefresh.sample.demoserver.IssuedTokens.Issued;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The OAuth2 token endpoint of the demo authorization server: the client_credentials grant (RFC 6749 section 4.4)
 * for one registered client, authenticated with HTTP Basic or with form parameters (section 2.3.1).
 */
final class OAuth2TokenEndpoint {

	private final DemoServerProperties properties;

	private final IssuedTokens tokens;

	private final Counters counters;

	OAuth2TokenEndpoint(DemoServerProperties properties, IssuedTokens tokens, DemoServerStats stats) {
		this.properties = properties;
		this.tokens = tokens;
		this.counters = stats.counters(Api.ORDERS);
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route().POST("/oauth2/token", this::token).build();
	}

	private Mono<ServerResponse> token(ServerRequest request) {
		return request.formData().flatMap((form) -> {
			this.counters.tokenCalls.increment();
			if (!isRegisteredClient(request, form)) {
				return error(HttpStatus.UNAUTHORIZED, "invalid_client");
			}
			if (!"client_credentials".equals(form.getFirst("grant_type"))) {
				return error(HttpStatus.BAD_REQUEST, "unsupported_grant_type");
			}
			Issued issued = this.tokens.issue(Api.ORDERS, this.properties.getClientId(), false);
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("access_token", issued.accessToken);
			body.put("token_type", "Bearer");
			body.put("expires_in", this.tokens.lifetime().toSeconds());
			body.put("scope", (form.getFirst("scope") != null) ? form.getFirst("scope") : "orders.read");
			// RFC 6749 section 5.1: token responses must not be cached.
			return ServerResponse.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").bodyValue(body);
		});
	}

	private boolean isRegisteredClient(ServerRequest request, MultiValueMap<String, String> form) {
		String[] basic = basicCredentials(request.headers().firstHeader(HttpHeaders.AUTHORIZATION));
		String clientId = (basic != null) ? basic[0] : form.getFirst("client_id");
		String clientSecret = (basic != null) ? basic[1] : form.getFirst("client_secret");
		return this.properties.getClientId().equals(clientId) && this.properties.getClientSecret().equals(clientSecret);
	}

	// RFC 6749 section 2.3.1: id and secret are form-urlencoded before they are joined and Base64-encoded.
	private static String @Nullable [] basicCredentials(@Nullable String authorization) {
		if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
			return null;
		}
		String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
				StandardCharsets.UTF_8);
		int colon = decoded.indexOf(':');
		if (colon < 0) {
			return null;
		}
		return new String[] { URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
				URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8) };
	}

	private Mono<ServerResponse> error(HttpStatus status, String error) {
		this.counters.rejectedTokenCalls.increment();
		return ServerResponse.status(status).bodyValue(Map.of("error", error));
	}

}
