package io.github.tokenrefresh.web;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * Which client a request belongs to: the one it names, or else the one with the longest base URL that matches
 * its URL, or none.
 */
final class ClientSelection {

	private final Map<String, TokenClient> byName;

	private final TokenClient[] byBaseUrl;

	ClientSelection(Collection<TokenClient> clients) {
		Assert.notNull(clients, "'clients' must not be null");
		Map<String, TokenClient> byName = new LinkedHashMap<>();
		List<TokenClient> byBaseUrl = new ArrayList<>();
		for (TokenClient client : clients) {
			Assert.isTrue(byName.put(client.getName(), client) == null,
					() -> "Duplicate client name '" + client.getName() + "'");
			if (client.getBaseUrl() != null) {
				byBaseUrl.add(client);
			}
		}
		byBaseUrl.sort(Comparator.comparingInt((TokenClient client) -> client.getBaseUrl().specificity()).reversed());
		this.byName = Map.copyOf(byName);
		this.byBaseUrl = byBaseUrl.toArray(new TokenClient[0]);
	}

	Map<String, TokenClient> byName() {
		return this.byName;
	}

	/**
	 * Return the client a request belongs to.
	 * @param named the value of the {@link TokenRefresh#CLIENT_ATTRIBUTE} attribute, if any
	 * @param url the request URL
	 * @return the client, or {@code null} when the request names none and no base URL matches it
	 * @throws IllegalArgumentException if the request names a client that is not configured
	 */
	@Nullable TokenClient select(@Nullable Object named, URI url) {
		if (named != null) {
			TokenClient client = this.byName.get(named.toString());
			if (client == null) {
				throw new IllegalArgumentException(
						"No token-refresh client named '" + named + "'; configured clients are " + this.byName.keySet());
			}
			return client;
		}
		for (TokenClient client : this.byBaseUrl) {
			if (client.getBaseUrl().matches(url)) {
				return client;
			}
		}
		return null;
	}

}
