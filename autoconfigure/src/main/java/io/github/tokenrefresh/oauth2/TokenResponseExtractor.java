package io.github.tokenrefresh.oauth2;

import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.ReactiveHttpInputMessage;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.DefaultMapOAuth2AccessTokenResponseConverter;
import org.springframework.security.oauth2.core.endpoint.OAuth2AccessTokenResponse;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.web.reactive.function.BodyExtractor;
import org.springframework.web.reactive.function.BodyExtractors;

/**
 * Reads an OAuth 2.0 access token response (RFC 6749 §5.1) like Spring Security's own extractor, with two
 * differences: errors never quote the body (Jackson and Nimbus messages may), and the {@code expires_in} that
 * the server actually sent is kept, because Spring turns a missing one into a lifetime of one second.
 */
final class TokenResponseExtractor
		implements BodyExtractor<Mono<OAuth2AccessTokenResponse>, ReactiveHttpInputMessage> {

	/** Additional parameter holding the server's {@code expires_in} in seconds, present only when positive. */
	static final String EXPIRES_IN = TokenResponseExtractor.class.getName() + ".expires_in";

	static final String INVALID_TOKEN_RESPONSE = "invalid_token_response";

	private static final JsonMapper jsonMapper = JsonMapper.builder().build();

	private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
	};

	private final DefaultMapOAuth2AccessTokenResponseConverter converter;

	TokenResponseExtractor() {
		this.converter = new DefaultMapOAuth2AccessTokenResponseConverter();
	}

	@Override
	public Mono<OAuth2AccessTokenResponse> extract(ReactiveHttpInputMessage inputMessage, Context context) {
		// byte[] decoding honours the codecs' maxInMemorySize, so a huge body fails instead of filling the heap.
		return BodyExtractors.toMono(byte[].class)
			.extract(inputMessage, context)
			.switchIfEmpty(Mono.error(() -> invalid("the response body is empty")))
			.map(this::read);
	}

	private OAuth2AccessTokenResponse read(byte[] body) {
		Map<String, Object> json = parse(body);
		Object error = json.get(OAuth2ParameterNames.ERROR);
		if (error instanceof String code && !code.isBlank()) {
			// RFC 6749 §5.2 error object with a 2xx status, as some servers send.
			Object description = json.get(OAuth2ParameterNames.ERROR_DESCRIPTION);
			throw new OAuth2AuthorizationException(
					new OAuth2Error(code, (description instanceof String text) ? text : null, null));
		}
		Object accessToken = json.get(OAuth2ParameterNames.ACCESS_TOKEN);
		if (accessToken == null) {
			throw invalid("the response has no access_token");
		}
		if (!(accessToken instanceof String value) || value.isBlank()) {
			throw invalid("the response's access_token is not a non-empty string");
		}
		Map<String, Object> parameters = new LinkedHashMap<>(json);
		// RFC 6749 §5.1 requires token_type, yet in-house servers often omit it; Bearer is what they mean.
		parameters.putIfAbsent(OAuth2ParameterNames.TOKEN_TYPE, "Bearer");
		Long expiresIn = expiresIn(json.get(OAuth2ParameterNames.EXPIRES_IN));
		if (expiresIn != null) {
			parameters.put(EXPIRES_IN, expiresIn);
		}
		try {
			return this.converter.convert(parameters);
		}
		catch (RuntimeException ex) {
			throw invalid("the response is not a valid OAuth 2.0 access token response");
		}
	}

	private static Map<String, Object> parse(byte[] body) {
		if (body.length == 0) {
			throw invalid("the response body is empty");
		}
		try {
			Map<String, Object> json = jsonMapper.readValue(body, MAP);
			if (json == null) {
				throw invalid("the response body is not a JSON object");
			}
			return json;
		}
		catch (JacksonException ex) {
			throw invalid("the response body is not a JSON object; check that the URI points at the token endpoint");
		}
	}

	static @Nullable Long expiresIn(@Nullable Object value) {
		long seconds;
		if (value instanceof Number number) {
			seconds = number.longValue();
		}
		else if (value instanceof String text) {
			try {
				seconds = Long.parseLong(text.trim());
			}
			catch (NumberFormatException ex) {
				return null;
			}
		}
		else {
			return null;
		}
		return (seconds > 0) ? seconds : null;
	}

	private static OAuth2AuthorizationException invalid(String description) {
		return new OAuth2AuthorizationException(new OAuth2Error(INVALID_TOKEN_RESPONSE, description, null));
	}

}
