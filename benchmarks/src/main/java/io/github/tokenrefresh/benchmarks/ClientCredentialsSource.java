package io.github.tokenrefresh.benchmarks;

import java.time.Duration;
import java.util.Map;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;

/**
 * A minimal client_credentials {@link TokenSource} for the benchmark's token server: one POST, one JSON map.
 * Stands in until the starter's own OAuth 2.0 source is merged, so that the filter can be measured already.
 */
final class ClientCredentialsSource implements TokenSource {

	private static final ParameterizedTypeReference<Map<String, Object>> JSON_MAP = new ParameterizedTypeReference<>() {
	};

	private final WebClient webClient;

	private final String tokenUri;

	ClientCredentialsSource(WebClient webClient, String tokenUri) {
		this.webClient = webClient;
		this.tokenUri = tokenUri;
	}

	@Override
	public Mono<Token> acquire() {
		return this.webClient.post()
			.uri(this.tokenUri)
			.headers((headers) -> headers.setBasicAuth(BenchmarkServers.CLIENT_ID, BenchmarkServers.CLIENT_SECRET))
			.body(BodyInserters.fromFormData("grant_type", "client_credentials"))
			.retrieve()
			.bodyToMono(JSON_MAP)
			.map(ClientCredentialsSource::token)
			.onErrorMap((ex) -> !(ex instanceof TokenAcquisitionException),
					(ex) -> TokenAcquisitionException.failed("bench", null, null, ex.getClass().getSimpleName(), ex));
	}

	private static Token token(Map<String, Object> json) {
		return Token.builder((String) json.get("access_token"))
			.tokenType((String) json.get("token_type"))
			.expiresIn(Duration.ofSeconds(((Number) json.get("expires_in")).longValue()))
			.build();
	}

}
