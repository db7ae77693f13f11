package io.github.tokenrefresh.core;

import java.time.Instant;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the {@code exp} claim of a JWT access token without verifying it: the token is the resource
 * server's business, we only want to know when to stop using it.
 */
final class JwtExpiry {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private JwtExpiry() {
	}

	static @Nullable Instant read(String accessToken) {
		int first = accessToken.indexOf('.');
		int second = (first > 0) ? accessToken.indexOf('.', first + 1) : -1;
		if (first <= 0 || second < 0) {
			return null;
		}
		try {
			byte[] payload = Base64.getUrlDecoder().decode(accessToken.substring(first + 1, second));
			JsonNode exp = MAPPER.readTree(payload).get("exp");
			return (exp != null && exp.isNumber()) ? Instant.ofEpochSecond(exp.asLong()) : null;
		}
		catch (RuntimeException ex) {
			// Not a JWT after all (opaque tokens may contain dots): the expiry stays unknown.
			return null;
		}
	}

}
