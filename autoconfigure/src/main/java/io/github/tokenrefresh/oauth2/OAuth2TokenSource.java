package io.github.tokenrefresh.oauth2;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.endpoint.TokenEndpoints;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ReactiveClientRegistrationRepository;
import reactor.core.publisher.Mono;

/**
 * Obtains tokens from an OAuth 2.0 token endpoint: client_credentials, refresh_token (seeded by configuration),
 * password and jwt-bearer, with the grant type taken from the {@link ClientRegistration}.
 */
public final class OAuth2TokenSource implements TokenSource {

	private OAuth2TokenSource(Builder builder) {
	}

	public static Builder builder(String clientName, TokenEndpoints endpoints) {
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
	 * Builds an {@link OAuth2TokenSource}.
	 */
	public static final class Builder {

		public Builder registration(ClientRegistration registration) {
			return this;
		}

		public Builder registration(String registrationId, ReactiveClientRegistrationRepository repository) {
			return this;
		}

		public Builder refreshToken(String refreshToken) {
			return this;
		}

		public Builder username(String username) {
			return this;
		}

		public Builder password(String password) {
			return this;
		}

		public Builder assertion(Mono<String> assertion) {
			return this;
		}

		public OAuth2TokenSource build() {
			return new OAuth2TokenSource(this);
		}

	}

}
