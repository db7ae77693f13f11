package io.github.tokenrefresh.autoconfigure;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.TokenManager;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.server.WebFilterChainProxy;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adding the starter to a WebFlux application leaves the application's own endpoints open: the starter brings
 * Spring Security's OAuth2 client library but never Spring Security's configuration module, which is what switches
 * web protection on. This test's classpath has that module (through optional dependencies), so the application
 * runs on a class loader that hides it, as the application's own classpath would.
 */
class NoWebSecurityIntegrationTests {

	private static final String[] PROPERTIES = { "server.port=0", "spring.main.banner-mode=off",
			"token-refresh.clients.billing.base-url=http://localhost:8081",
			"token-refresh.clients.billing.registration-id=billing",
			"spring.security.oauth2.client.registration.billing.client-id=app",
			"spring.security.oauth2.client.registration.billing.client-secret=s3cr3t",
			"spring.security.oauth2.client.registration.billing.authorization-grant-type=client_credentials",
			"spring.security.oauth2.client.provider.billing.token-uri=http://localhost:9000/oauth2/token" };

	@Test
	void webFluxApplicationWithTheStarterServesItsEndpointsWithoutLogin() {
		FilteredClassLoader applicationClassPath = new FilteredClassLoader("org.springframework.security.config");
		try (ConfigurableApplicationContext context = run(applicationClassPath)) {
			assertThat(context.getBeansOfType(WebFilterChainProxy.class)).isEmpty();
			assertThat(context.getBean("billingTokenManager")).isInstanceOf(TokenManager.class);
			assertThat(get(context).getStatusCode().value()).isEqualTo(200);
			assertThat(get(context).getBody()).isEqualTo("hello");
		}
	}

	@Test
	void theSameApplicationIsProtectedOnceSpringSecuritysConfigurationModuleIsAdded() {
		// Guards the test above: with the module visible, Boot's own security auto-configuration locks the endpoint.
		try (ConfigurableApplicationContext context = run(getClass().getClassLoader())) {
			assertThat(context.getBeansOfType(WebFilterChainProxy.class)).isNotEmpty();
			assertThat(get(context).getStatusCode().value()).isNotEqualTo(200);
		}
	}

	private static ConfigurableApplicationContext run(ClassLoader classLoader) {
		return new SpringApplicationBuilder(Application.class).resourceLoader(new DefaultResourceLoader(classLoader))
			.web(WebApplicationType.REACTIVE)
			.properties(PROPERTIES)
			.run();
	}

	private static ResponseEntity<String> get(ConfigurableApplicationContext context) {
		int port = ((WebServerApplicationContext) context).getWebServer().getPort();
		return WebClient.create("http://localhost:" + port)
			.get()
			.uri("/hello")
			.exchangeToMono((response) -> response.toEntity(String.class))
			.block(Duration.ofSeconds(10));
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		RouterFunction<ServerResponse> hello() {
			return RouterFunctions.route()
				.GET("/hello", (request) -> ServerResponse.ok().bodyValue("hello"))
				.build();
		}

	}

}
