package io.github.tokenrefresh.mvc;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.TokenManager;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.DefaultResourceLoader;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.DispatcherHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Adding the starter to a Spring MVC application leaves it an MVC application: Tomcat serves it, no Netty server
 * and no WebFlux {@code DispatcherHandler} start, and its own endpoints stay open. As for WebFlux, this test's
 * classpath has Spring Security's configuration module (through optional dependencies), so the application runs on
 * a class loader that hides it, as the application's own classpath would. The web application type is not set: Boot
 * deduces it, with WebFlux on the classpath too.
 */
class MvcNoWebSecurityIntegrationTests {

	private static final String[] PROPERTIES = { "server.port=0", "spring.main.banner-mode=off",
			"token-refresh.clients.billing.base-url=http://localhost:8081",
			"token-refresh.clients.billing.token-uri=http://localhost:9000/oauth2/token",
			"token-refresh.clients.billing.client-id=app", "token-refresh.clients.billing.client-secret=s3cr3t" };

	@Test
	void mvcApplicationWithTheStarterRunsOnTomcatAndServesItsEndpointsWithoutLogin() throws Exception {
		FilteredClassLoader applicationClassPath = new FilteredClassLoader("org.springframework.security.config");
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
			.resourceLoader(new DefaultResourceLoader(applicationClassPath))
			.properties(PROPERTIES)
			.run()) {
			assertThat(context).isInstanceOf(ServletWebServerApplicationContext.class);
			assertThat(((ServletWebServerApplicationContext) context).getWebServer())
				.isInstanceOf(TomcatWebServer.class);
			assertThat(context.getBeanNamesForType(DispatcherHandler.class)).isEmpty();
			assertThat(context.getBeanNamesForType(ReactiveWebServerFactory.class)).isEmpty();
			assertThat(context.getBean("billingTokenManager")).isInstanceOf(TokenManager.class);
			assertThat(context.getBean("billingRestClient")).isInstanceOf(RestClient.class);
			int port = ((ServletWebServerApplicationContext) context).getWebServer().getPort();
			HttpResponse<String> response = HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hello")).build(),
						HttpResponse.BodyHandlers.ofString());
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).isEqualTo("hello");
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class Application {

		@Bean
		Hello hello() {
			return new Hello();
		}

	}

	@RestController
	static class Hello {

		@GetMapping("/hello")
		String hello() {
			return "hello";
		}

	}

}
