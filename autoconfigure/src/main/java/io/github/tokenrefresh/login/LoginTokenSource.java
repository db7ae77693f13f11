package io.github.tokenrefresh.login;

import java.net.URI;
import java.util.Map;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import reactor.core.publisher.Mono;

/**
 * Obtains tokens from in-house login and refresh endpoints: POSTs a configured body to the login URI and the
 * refresh token to the refresh URI, and reads the answer by dot paths.
 */
public final class LoginTokenSource implements TokenSource {

	private LoginTokenSource(Builder builder) {
	}

	public static Builder builder(String clientName, URI loginUri, TokenEndpoints endpoints) {
		return new Builder();
	}

	@Override
	public Mono<Token> acquire() {
		throw new UnsupportedOperationException("not implemented yet");
	}

	@Override
	public Mono<Token> refresh(Token token) {
		throw new UnsupportedOperationException("not implemented yet");
	}

	/**
	 * Builds a {@link LoginTokenSource}.
	 */
	public static final class Builder {

		public Builder format(LoginFormat format) {
			return this;
		}

		public Builder body(Map<String, ?> body) {
			return this;
		}

		public Builder refreshUri(URI refreshUri) {
			return this;
		}

		public Builder refreshTokenField(String refreshTokenField) {
			return this;
		}

		public Builder accessTokenPath(String accessTokenPath) {
			return this;
		}

		public Builder refreshTokenPath(String refreshTokenPath) {
			return this;
		}

		public Builder expiresInPath(String expiresInPath) {
			return this;
		}

		public Builder refreshExpiresInPath(String refreshExpiresInPath) {
			return this;
		}

		public LoginTokenSource build() {
			return new LoginTokenSource(this);
		}

	}

}
