package io.github.tokenrefresh.web;

import java.net.URI;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class BaseUrlTests {

	@Test
	void matchesWholePathSegmentsOnly() {
		BaseUrl base = BaseUrl.parse("http://localhost:8081/api");
		assertThat(base.matches(URI.create("http://localhost:8081/api"))).isTrue();
		assertThat(base.matches(URI.create("http://localhost:8081/api/"))).isTrue();
		assertThat(base.matches(URI.create("http://localhost:8081/api/orders?x=1"))).isTrue();
		assertThat(base.matches(URI.create("http://localhost:8081/apix"))).isFalse();
		assertThat(base.matches(URI.create("http://localhost:8081/"))).isFalse();
	}

	@Test
	void matchesSchemeHostAndPortExactly() {
		BaseUrl base = BaseUrl.parse("http://localhost:8081");
		assertThat(base.matches(URI.create("http://LOCALHOST:8081/anything"))).isTrue();
		assertThat(base.matches(URI.create("http://localhost:80812/anything"))).isFalse();
		assertThat(base.matches(URI.create("http://localhost:8081.evil.com/anything"))).isFalse();
		assertThat(base.matches(URI.create("https://localhost:8081/anything"))).isFalse();
		assertThat(base.matches(URI.create("http://localhost/anything"))).isFalse();
		assertThat(base.matches(URI.create("http://evil.com/http://localhost:8081"))).isFalse();
	}

	@Test
	void defaultPortsAreEquivalentToExplicitOnes() {
		assertThat(BaseUrl.parse("https://api.example.com").matches(URI.create("https://api.example.com:443/x")))
			.isTrue();
		assertThat(BaseUrl.parse("http://api.example.com:80/").matches(URI.create("http://api.example.com/x")))
			.isTrue();
	}

	@Test
	void relativeBaseUrlIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> BaseUrl.parse("/api"))
			.withMessageContaining("not an absolute URL");
	}

}
