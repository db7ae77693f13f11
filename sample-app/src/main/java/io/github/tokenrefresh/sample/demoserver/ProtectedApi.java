package io.github.tokenrefresh.sample.demoserver;

import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Api;
import io.github.tokenrefresh.sample.demoserver.DemoServerStats.Counters;
import io.github.tokenrefresh.sample.demoserver.IssuedTokens.Issued;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The protected API: {@code GET /orders/{id}} for OAuth2 tokens and {@code GET /profile/me} for login tokens.
 * Answers 401 for a missing, unknown, expired or revoked token, and now and then revokes a good token early, as a
 * real server does after a password change or a key rotation. Never a token in the first quarter of its life: the
 * client retries a 401 once with a new token, and refusing that one too by bad luck would fail requests that no
 * client could have saved.
 */
final class ProtectedApi {

	private final IssuedTokens tokens;

	private final DemoServerStats stats;

	private final double revokeRate;

	ProtectedApi(IssuedTokens tokens, DemoServerStats stats, double revokeRate) {
		this.tokens = tokens;
		this.stats = stats;
		this.revokeRate = revokeRate;
	}

	RouterFunction<ServerResponse> routes() {
		return RouterFunctions.route()
			.GET("/orders/{id}", (request) -> respond(request, Api.ORDERS,
					(token) -> Map.of("id", request.pathVariable("id"), "status", "SHIPPED")))
			.GET("/profile/me", (request) -> respond(request, Api.PROFILE,
					(token) -> Map.of("username", token.subject, "displayName", "Demo User")))
			.build();
	}

	private Mono<ServerResponse> respond(ServerRequest request, Api api, Function<Issued, Object> body) {
		Counters counters = this.stats.counters(api);
		counters.requests.increment();
		Issued token = this.tokens.check(bearerToken(request), api);
		if (token == null) {
			return unauthorized(counters);
		}
		if (this.tokens.isRevocable(token) && ThreadLocalRandom.current().nextDouble() < this.revokeRate) {
			this.tokens.revoke(token);
			counters.revoked.increment();
			return unauthorized(counters);
		}
		return ServerResponse.ok().bodyValue(body.apply(token));
	}

	private static Mono<ServerResponse> unauthorized(Counters counters) {
		counters.unauthorized.increment();
		// RFC 6750 section 3.1
		return ServerResponse.status(HttpStatus.UNAUTHORIZED)
			.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
			.build();
	}

	private static @Nullable String bearerToken(ServerRequest request) {
		String authorization = request.headers().firstHeader(HttpHeaders.AUTHORIZATION);
		if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
			return null;
		}
		return authorization.substring(7).trim();
	}

}
