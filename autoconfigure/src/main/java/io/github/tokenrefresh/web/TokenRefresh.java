package io.github.tokenrefresh.web;

import java.util.Map;
import java.util.function.Consumer;

import org.springframework.util.Assert;

/**
 * Request attributes that steer the token filter and the token interceptor, the same for {@code WebClient} and
 * {@code RestClient}.
 * <pre class="code">
 * webClient.get().uri("https://partner.example/orders").attributes(TokenRefresh.client("billing")).retrieve()...
 * restClient.get().uri("https://partner.example/orders").attributes(TokenRefresh.client("billing")).retrieve()...
 * </pre>
 */
public final class TokenRefresh {

	/**
	 * Name of the request attribute that selects a client explicitly, overriding base URL matching.
	 */
	public static final String CLIENT_ATTRIBUTE = TokenRefresh.class.getName() + ".client";

	private TokenRefresh() {
	}

	/**
	 * Send the request with the token of the named client, whatever its URL.
	 * @param clientName the client name
	 * @return a consumer for {@code WebClient.RequestHeadersSpec#attributes} or
	 * {@code RestClient.RequestHeadersSpec#attributes}
	 */
	public static Consumer<Map<String, Object>> client(String clientName) {
		Assert.hasText(clientName, "'clientName' must not be empty");
		return (attributes) -> attributes.put(CLIENT_ATTRIBUTE, clientName);
	}

}
