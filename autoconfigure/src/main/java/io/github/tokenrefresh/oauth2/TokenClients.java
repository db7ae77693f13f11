package io.github.tokenrefresh.oauth2;

import org.jspecify.annotations.Nullable;

import org.springframework.security.oauth2.client.endpoint.AbstractOAuth2AuthorizationGrantRequest;
import org.springframework.security.oauth2.client.endpoint.AbstractWebClientReactiveOAuth2AccessTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveClientCredentialsTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveJwtBearerTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveRefreshTokenTokenResponseClient;
import org.springframework.security.oauth2.client.endpoint.WebClientReactiveTokenExchangeTokenResponseClient;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Spring Security's token response clients of one source, configured with what every request adds. Built once
 * per source, or once per token request when the request carries a client assertion read for it.
 */
final class TokenClients {

	final WebClientReactiveClientCredentialsTokenResponseClient clientCredentials;

	final WebClientReactiveRefreshTokenTokenResponseClient refreshToken;

	final WebClientReactiveJwtBearerTokenResponseClient jwtBearer;

	final WebClientReactiveTokenExchangeTokenResponseClient tokenExchange;

	final TokenRequestParameters parameters;

	TokenClients(WebClient webClient, TokenResponseExtractor extractor, TokenRequestParameters parameters,
			@Nullable String subjectTokenType) {
		this.parameters = parameters;
		this.clientCredentials = configure(new WebClientReactiveClientCredentialsTokenResponseClient(), webClient,
				extractor);
		this.refreshToken = configure(new WebClientReactiveRefreshTokenTokenResponseClient(), webClient, extractor);
		this.jwtBearer = configure(new WebClientReactiveJwtBearerTokenResponseClient(), webClient, extractor);
		this.tokenExchange = configure(new WebClientReactiveTokenExchangeTokenResponseClient(), webClient, extractor);
		if (subjectTokenType != null) {
			// Spring names the type after the token's class (an access token); the configuration knows better.
			this.tokenExchange.setParametersCustomizer(
					(values) -> values.set(OAuth2ParameterNames.SUBJECT_TOKEN_TYPE, subjectTokenType));
		}
	}

	// The dedicated WebClient turns non-2xx answers into errors, so Spring's clients only ever read token bodies.
	private <T extends AbstractOAuth2AuthorizationGrantRequest, C extends AbstractWebClientReactiveOAuth2AccessTokenResponseClient<T>> C configure(
			C client, WebClient webClient, TokenResponseExtractor extractor) {
		client.setWebClient(webClient);
		client.setBodyExtractor(extractor);
		return this.parameters.configure(client);
	}

}
