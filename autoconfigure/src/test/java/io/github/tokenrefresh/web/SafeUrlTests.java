package io.github.tokenrefresh.web;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SafeUrlTests {

	@Test
	void userInfoAndQueryStringAreDroppedAndSchemeHostPortAndPathAreKept() {
		assertThat(SafeUrl.of(URI.create("http://user:password@localhost:8081/api/orders?api_key=s3cr3t")))
			.isEqualTo("http://localhost:8081/api/orders");
	}

	@Test
	void aUrlWithoutPortOrPathHasNoneInTheLog() {
		assertThat(SafeUrl.of(URI.create("https://user@example.com?sig=abc"))).isEqualTo("https://example.com");
	}

}
