package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import io.github.tokenrefresh.actuate.TokensEndpoint;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenSource;
import io.github.tokenrefresh.core.TokenStore;
import io.github.tokenrefresh.redis.EmbeddedRedis;
import io.github.tokenrefresh.redis.RedisTokenStore;
import org.springframework.aot.AotDetector;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.aot.test.generate.TestGenerationContext;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisReactiveAutoConfiguration;
import org.springframework.boot.health.contributor.CompositeReactiveHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.aot.ApplicationContextAotGenerator;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.SpringProperties;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.test.tools.CompileWithForkedClassLoader;
import org.springframework.core.test.tools.Compiled;
import org.springframework.core.test.tools.TestCompiler;
import org.springframework.javapoet.ClassName;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Spring AOT: an application with a client of every kind is processed ahead of time, the generated code is
 * compiled, and the application then starts from it (as with {@code -Dspring.aot.enabled=true}) with run-time
 * values different from those it was built with. The build sees placeholders, some of them unresolvable; the run
 * sees the real token endpoints, secrets, login body and Redis port.
 */
@CompileWithForkedClassLoader
class TokenRefreshAotTests {

	private static final String C = "token-refresh.clients.";

	private static final String REGISTRATION = "spring.security.oauth2.client.registration.partner.";

	// Well-formed JWTs (the source checks that much), told apart by their subject.
	private static final String RUN_ASSERTION = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJydW4tc2lnbmVkIn0.c2lnbmF0dXJl";

	private static final String BUILD_ASSERTION = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJidWlsZC1zaWduZWQifQ.c2lnbmF0dXJl";

	private static final Duration TIMEOUT = Duration.ofSeconds(20);

	private final TokenAndResourceServers servers = new TokenAndResourceServers();

	private EmbeddedRedis redis;

	@BeforeEach
	void start() throws IOException {
		this.servers.start();
		this.redis = new EmbeddedRedis();
	}

	@AfterEach
	void stop() {
		this.servers.close();
		this.redis.close();
	}

	/**
	 * What the application is built with: every URL, secret and duration a placeholder (some unresolvable, as when
	 * the real value comes from an environment variable that the build does not have), the Redis port wrong.
	 */
	private static Map<String, Object> buildTimeProperties() {
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("token-refresh.store.type", "redis");
		properties.put("spring.data.redis.host", "127.0.0.1");
		properties.put("spring.data.redis.port", "1");
		properties.put("management.endpoints.web.exposure.include", "tokens,health");
		// client_credentials, client_secret_post
		properties.put(C + "orders.base-url", "${ORDERS_BASE_URL}");
		properties.put(C + "orders.token-uri", "${ORDERS_TOKEN_URI}");
		properties.put(C + "orders.client-id", "build-orders");
		properties.put(C + "orders.client-secret", "${ORDERS_SECRET}");
		properties.put(C + "orders.client-authentication-method", "client_secret_post");
		properties.put(C + "orders.timeout", "${ORDERS_TIMEOUT}");
		properties.put(C + "orders.header-name", "X-Build-Time");
		// password
		properties.put(C + "staff.base-url", "http://build.invalid/staff");
		properties.put(C + "staff.token-uri", "http://build.invalid/token");
		properties.put(C + "staff.client-id", "build-staff");
		properties.put(C + "staff.grant-type", "password");
		properties.put(C + "staff.username", "build-user");
		properties.put(C + "staff.password", "build-password");
		// refresh_token
		properties.put(C + "seeded.base-url", "http://build.invalid/seeded");
		properties.put(C + "seeded.token-uri", "http://build.invalid/token");
		properties.put(C + "seeded.client-id", "build-seeded");
		properties.put(C + "seeded.grant-type", "refresh_token");
		properties.put(C + "seeded.refresh-token", "build-refresh-token");
		// jwt-bearer
		properties.put(C + "signed.base-url", "http://build.invalid/signed");
		properties.put(C + "signed.token-uri", "http://build.invalid/token");
		properties.put(C + "signed.client-id", "build-signed");
		properties.put(C + "signed.grant-type", "jwt-bearer");
		properties.put(C + "signed.assertion", BUILD_ASSERTION);
		// registration-id, bound from spring.security.oauth2.client.* at run time
		properties.put(C + "partner.base-url", "http://build.invalid/partner");
		properties.put(C + "partner.registration-id", "partner");
		properties.put(REGISTRATION + "client-id", "build-partner");
		properties.put(REGISTRATION + "client-secret", "build-partner-secret");
		properties.put(REGISTRATION + "authorization-grant-type", "client_credentials");
		properties.put("spring.security.oauth2.client.provider.partner.token-uri", "http://build.invalid/token");
		// login
		properties.put(C + "inhouse.base-url", "http://build.invalid/inhouse");
		properties.put(C + "inhouse.login.uri", "http://build.invalid/login");
		properties.put(C + "inhouse.login.body.username", "build-login-user");
		properties.put(C + "inhouse.login.body.password", "build-login-password");
		// the application's own TokenSource bean
		properties.put(C + "custom.base-url", "http://build.invalid/custom");
		return properties;
	}

	/**
	 * What arrives at run time, from the environment or the command line, over the built-in configuration.
	 */
	private Map<String, Object> runTimeProperties() {
		String api = this.servers.resourceUrl();
		String tokenUri = this.servers.tokenUri();
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("spring.data.redis.port", String.valueOf(this.redis.port()));
		properties.put("ORDERS_BASE_URL", api + "/orders");
		properties.put("ORDERS_TOKEN_URI", tokenUri);
		properties.put("ORDERS_SECRET", "run-orders-secret");
		properties.put("ORDERS_TIMEOUT", "7s");
		properties.put(C + "orders.client-id", "run-orders");
		properties.put(C + "orders.header-name", "Authorization");
		for (String client : List.of("staff", "seeded", "signed", "partner", "inhouse", "custom")) {
			properties.put(C + client + ".base-url", api + "/" + client);
		}
		for (String client : List.of("staff", "seeded", "signed")) {
			properties.put(C + client + ".token-uri", tokenUri);
			properties.put(C + client + ".client-id", "run-" + client);
		}
		properties.put(C + "staff.username", "run-user");
		properties.put(C + "staff.password", "run-password");
		properties.put(C + "seeded.refresh-token", "run-refresh-token");
		properties.put(C + "signed.assertion", RUN_ASSERTION);
		properties.put(REGISTRATION + "client-id", "run-partner");
		properties.put(REGISTRATION + "client-secret", "run-partner-secret");
		properties.put("spring.security.oauth2.client.provider.partner.token-uri", tokenUri);
		properties.put(C + "inhouse.login.uri", this.servers.tokenUri());
		properties.put(C + "inhouse.login.body.username", "run-login-user");
		properties.put(C + "inhouse.login.body.password", "run-login-password");
		return properties;
	}

	@Test
	void applicationBuiltWithPlaceholdersRunsWithTheRunTimeValuesOfEveryClientKind() {
		processAndCompile(buildTimeProperties(), (generated) -> {
			try (GenericApplicationContext context = generated.start(runTimeProperties())) {
				assertThat(context.getBean(TokenStore.class)).isInstanceOf(RedisTokenStore.class);
				assertThat(context.getBean(TokenRefreshProperties.class).getClients().get("orders").getTimeout())
					.isEqualTo(Duration.ofSeconds(7));
				Map<String, String> expectedTokens = Map.of("orders", "run-orders-1", "staff", "run-staff-1",
						"seeded", "run-seeded-1", "signed", "run-signed-1", "partner", "run-partner-1", "inhouse",
						"run-login-user-1", "custom", "custom-token");
				expectedTokens.forEach((client, token) -> {
					WebClient webClient = context.getBean(client, WebClient.class);
					String body = webClient.get().uri("/resource").retrieve().bodyToMono(String.class).block(TIMEOUT);
					assertThat(body).isEqualTo("ok /" + client + "/resource");
					List<List<String>> authorizations = this.servers.resourceAuthorizations();
					assertThat(authorizations.get(authorizations.size() - 1)).as(client)
						.containsExactly("Bearer " + token);
				});
				assertThat(this.servers.tokenRequestBodies()).hasSize(6)
					.anySatisfy((body) -> assertThat(body).contains("client_id=run-orders")
						.contains("client_secret=run-orders-secret"))
					.anySatisfy((body) -> assertThat(body).contains("grant_type=password")
						.contains("username=run-user")
						.contains("password=run-password"))
					.anySatisfy((body) -> assertThat(body).contains("grant_type=refresh_token")
						.contains("refresh_token=run-refresh-token"))
					.anySatisfy((body) -> assertThat(body).contains("assertion=" + RUN_ASSERTION))
					.anySatisfy((body) -> assertThat(body).contains("\"username\":\"run-login-user\"")
						.contains("\"password\":\"run-login-password\""))
					.noneSatisfy((body) -> assertThat(body).contains("build-"));
				assertThat(this.servers.tokensIssued("run-partner")).isEqualTo(1);
				assertThat(this.redis.admin().keys("*")).anySatisfy((key) -> assertThat(key).contains("orders"));
				assertEndpointAndHealth(context);
			}
		});
	}

	private static void assertEndpointAndHealth(GenericApplicationContext context) {
		TokensEndpoint endpoint = context.getBean(TokensEndpoint.class);
		TokensEndpoint.TokensDescriptor tokens = endpoint.tokens().block(TIMEOUT);
		assertThat(tokens.clients()).containsOnlyKeys("orders", "staff", "seeded", "signed", "partner", "inhouse",
				"custom");
		assertThat(tokens.clients().values()).allSatisfy((client) -> {
			assertThat(client.tokenHeld()).isTrue();
			assertThat(client.storeType()).isEqualTo("redis");
		});
		String json = JsonMapper.builder().build().writeValueAsString(tokens);
		assertThat(json).contains("\"orders\":{\"name\":\"orders\"").doesNotContain("run-orders-1");
		CompositeReactiveHealthContributor health = context.getBean("tokenRefreshHealthContributor",
				CompositeReactiveHealthContributor.class);
		assertThat(health.stream()).hasSize(7).allSatisfy((contributor) -> {
			Health clientHealth = ((ReactiveHealthIndicator) contributor.contributor()).health().block(TIMEOUT);
			assertThat(clientHealth.getStatus()).as(contributor.name()).isEqualTo(Status.UP);
		});
	}

	@Test
	void applicationBuiltAheadOfTimeValidatesTheRunTimeValuesAtStartup() {
		processAndCompile(buildTimeProperties(), (generated) -> {
			Map<String, Object> invalid = runTimeProperties();
			invalid.put(C + "staff.base-url", "localhost:8081");
			assertThatException().isThrownBy(() -> generated.start(invalid).close())
				.satisfies((ex) -> assertThat(new TokenRefreshFailureAnalyzer().analyze(ex).getDescription())
					.startsWith("Invalid token-refresh configuration: " + C + "staff.base-url must be an absolute"))
				.havingRootCause()
				.isInstanceOf(InvalidTokenRefreshConfigurationException.class)
				.withMessageStartingWith(C + "staff.base-url must be an absolute http or https URI");
			Map<String, Object> missingCredential = runTimeProperties();
			missingCredential.put(C + "staff.password", "");
			assertThatException().isThrownBy(() -> generated.start(missingCredential).close())
				.havingRootCause()
				.withMessage(C + "staff.password is required with grant-type password");
			Map<String, Object> newClient = runTimeProperties();
			newClient.put(C + "late.token-uri", this.servers.tokenUri());
			newClient.put(C + "late.client-id", "late");
			assertThatException().isThrownBy(() -> generated.start(newClient).close())
				.havingRootCause()
				.isInstanceOf(InvalidTokenRefreshConfigurationException.class)
				.withMessageStartingWith(C + "late is not a client of this build");
		});
	}

	private static void processAndCompile(Map<String, Object> buildTimeProperties, Consumer<Generated> action) {
		TestGenerationContext generationContext = new TestGenerationContext();
		ClassName initializer;
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext()) {
			context.setEnvironment(environment(buildTimeProperties, Map.of()));
			context.register(Application.class);
			// Set by Spring Boot's AOT processors (process-aot) while they run.
			System.setProperty("spring.aot.processing", "true");
			try {
				initializer = new ApplicationContextAotGenerator().processAheadOfTime(context, generationContext);
			}
			finally {
				System.clearProperty("spring.aot.processing");
			}
		}
		assertThat(RuntimeHintsPredicates.reflection().onType(EnvironmentClientRegistrations.Registration.class))
			.as("token-refresh's hints are contributed through aot.factories")
			.accepts(generationContext.getRuntimeHints());
		generationContext.writeGeneratedContent();
		TestCompiler.forSystem().with(generationContext).compile((compiled) -> {
			SpringProperties.setProperty("spring.aot.enabled", "true");
			try {
				assertThat(AotDetector.useGeneratedArtifacts()).isTrue();
				action.accept(new Generated(compiled, initializer, buildTimeProperties));
			}
			finally {
				SpringProperties.setProperty("spring.aot.enabled", null);
			}
		});
	}

	private static StandardEnvironment environment(Map<String, Object> builtIn, Map<String, Object> runTime) {
		StandardEnvironment environment = new StandardEnvironment();
		environment.getPropertySources().addFirst(new MapPropertySource("application.properties", builtIn));
		environment.getPropertySources().addFirst(new MapPropertySource("commandLineArgs", runTime));
		ConfigurationPropertySources.attach(environment);
		return environment;
	}

	/**
	 * The compiled application, started as often as a test likes, each time with other run-time values.
	 */
	private record Generated(Compiled compiled, ClassName initializer, Map<String, Object> builtIn) {

		@SuppressWarnings("unchecked")
		GenericApplicationContext start(Map<String, Object> runTime) {
			GenericApplicationContext context = new GenericApplicationContext();
			context.setEnvironment(environment(this.builtIn, runTime));
			this.compiled.getInstance(ApplicationContextInitializer.class, this.initializer.reflectionName())
				.initialize(context);
			context.refresh();
			return context;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ ReactiveHttpClientAutoConfiguration.class, WebClientAutoConfiguration.class,
			DataRedisAutoConfiguration.class, DataRedisReactiveAutoConfiguration.class,
			RedisTokenStoreAutoConfiguration.class, TokenRefreshAutoConfiguration.class,
			TokenRefreshActuatorAutoConfiguration.class })
	static class Application {

		@Bean
		TokenSource customTokenSource() {
			return () -> Mono.just(Token.builder("custom-token").expiresAt(Instant.now().plusSeconds(3600)).build());
		}

	}

}
