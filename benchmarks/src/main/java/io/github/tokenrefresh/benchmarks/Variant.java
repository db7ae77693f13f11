package io.github.tokenrefresh.benchmarks;

/**
 * The ways of putting a token on a WebClient request that the benchmarks compare.
 */
enum Variant {

	/** The floor: a fixed Authorization header, no token logic at all. */
	FIXED_HEADER("a", "WebClient, fixed Authorization header"),

	/** This starter's filter with the in-memory store. */
	IN_MEMORY("b", "token-refresh, in-memory store"),

	/** This starter's filter with the Redis store. */
	REDIS("c", "token-refresh, Redis store"),

	/** Spring Security's filter with the service-backed manager, client_credentials. */
	SPRING_SECURITY("d", "Spring Security ServerOAuth2AuthorizedClientExchangeFilterFunction");

	private final String id;

	private final String description;

	Variant(String id, String description) {
		this.id = id;
		this.description = description;
	}

	String id() {
		return this.id;
	}

	String description() {
		return this.description;
	}

	String label() {
		return "(" + this.id + ") " + this.description;
	}

	static Variant of(String id) {
		for (Variant variant : values()) {
			if (variant.id.equals(id)) {
				return variant;
			}
		}
		throw new IllegalArgumentException("No variant '" + id + "'");
	}

}
