package io.github.tokenrefresh.sample.demoserver;

import java.util.LinkedHashMap;
import java.util.Map;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Api;
import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Counters;
import io.github.tokenrefresh.sample.demoserver.IssuedTokens.Issued;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * An in-house JSON login API of the kind many services have instead of OAuth2: {@code POST /auth/login} with
 * username and password, {@code POST /auth/refresh} with a refresh token that can be used only once.
 */
final class LoginApi {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_OBJECT =
			new ParameterizedTypeReference<>() {
			};

	private final DemoServerProperties properties;

	private final IssuedTokens tokens;

	private final Counters counters;

	LoginApi(DemoServerProperties properties, IssuedTokens tokens, DemoServerStats stats) {
		this.properties = properties;
		this.tokens = tokens;
		this.counters = stats.counters(Api.PROFILE);
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route().POST("/auth/login", this::login).POST("/auth/refresh", this::refresh).build();
	}

	private Mono<ServerResponse> login(ServerRequest request) {
		return jsonBody(request).flatMap((body) -> {
			this.counters.tokenCalls.increment();
			if (!this.properties.getUsername().equals(body.get("username"))
					|| !this.properties.getPassword().equals(body.get("password"))) {
				return refuse("invalid_credentials");
			}
			return issue(this.properties.getUsername());
		});
	}

	private Mono<ServerResponse> refresh(ServerRequest request) {
		return jsonBody(request).flatMap((body) -> {
			this.counters.tokenCalls.increment();
			Object refreshToken = body.get("refresh_token");
			Issued previous = (refreshToken instanceof String value) ? this.tokens.redeem(value) : null;
			return (previous != null) ? issue(previous.subject) : refuse("invalid_grant");
		});
	}

	private Mono<ServerResponse> issue(String username) {
		Issued issued = this.tokens.issue(Api.PROFILE, username, true);
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("access_token", issued.accessToken);
		body.put("refresh_token", issued.refreshToken);
		body.put("expires_in", this.tokens.lifetime().toSeconds());
		return ServerResponse.ok().bodyValue(body);
	}

	private Mono<ServerResponse> refuse(String error) {
		this.counters.rejectedTokenCalls.increment();
		return ServerResponse.status(HttpStatus.UNAUTHORIZED).bodyValue(Map.of("error", error));
	}

	private static Mono<Map<String, Object>> jsonBody(ServerRequest request) {
		return request.bodyToMono(JSON_OBJECT).defaultIfEmpty(Map.of());
	}

}
