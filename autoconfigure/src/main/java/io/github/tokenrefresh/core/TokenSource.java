package io.github.tokenrefresh.core;

import reactor.core.publisher.Mono;

/**
 * Obtains tokens from wherever a client gets them: an OAuth 2.0 token endpoint, a login endpoint, or code of
 * the application's own. Implementations must be non-blocking. A rejection (bad credentials, revoked refresh
 * token) is signalled as a {@link TokenAcquisitionException} whose {@link TokenAcquisitionException#isRejected()}
 * is {@code true}, so that the engine falls back or stops instead of retrying.
 */
public interface TokenSource {

	/**
	 * Acquire a new token with the client's own credentials (a full login).
	 * @return the token
	 */
	Mono<Token> acquire();

	/**
	 * Obtain a new token using the refresh token of {@code token}. Called only when that token has one.
	 * Sources without a refresh flow acquire anew.
	 * @param token the current token, which holds a refresh token
	 * @return the new token; one without a refresh token of its own keeps the old refresh token
	 */
	default Mono<Token> refresh(Token token) {
		return acquire();
	}

}
