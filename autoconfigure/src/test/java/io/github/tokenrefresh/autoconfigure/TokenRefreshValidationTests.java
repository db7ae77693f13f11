package io.github.tokenrefresh.autoconfigure;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.LazyInitializationBeanFactoryPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.support.SpringFactoriesLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatException;

/**
 * Tests for the startup validation of the token-refresh properties and its {@link TokenRefreshFailureAnalyzer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class TokenRefreshValidationTests {

	private static final String C = "token-refresh.clients.billing.";

	private static final String TOKEN_URI = C + "token-uri=http://localhost:9000/oauth2/token";

	private static final String CLIENT_ID = C + "client-id=app";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner().withConfiguration(
			AutoConfigurations.of(WebClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class));

	static Stream<Arguments> invalidConfigurations() {
		return Stream.of(
				invalid("no token source", List.of(C + "base-url=http://localhost:8081"),
						C.substring(0, C.length() - 1) + " has no token source; set one of registration-id, token-uri or login.uri"),
				invalid("two token sources", List.of(TOKEN_URI, CLIENT_ID, C + "login.uri=http://localhost:9000/login"),
						"token-refresh.clients.billing has more than one token source (token-uri, login.uri)"),
				invalid("three token sources",
						List.of(TOKEN_URI, CLIENT_ID, C + "registration-id=billing", C + "login.uri=http://localhost/login"),
						"has more than one token source (registration-id, token-uri, login.uri)"),
				invalid("unknown registration-id", List.of(C + "registration-id=nowhere"),
						C + "registration-id names no registration: configure "
								+ "spring.security.oauth2.client.registration.nowhere.*"),
				invalid("registration without token-uri",
						List.of(C + "registration-id=billing",
								"spring.security.oauth2.client.registration.billing.client-id=app",
								"spring.security.oauth2.client.registration.billing.authorization-grant-type=client_credentials"),
						"spring.security.oauth2.client.provider.billing.token-uri is required by " + C + "registration-id"),
				invalid("registration with authorization_code",
						List.of(C + "registration-id=billing",
								"spring.security.oauth2.client.registration.billing.client-id=app",
								"spring.security.oauth2.client.registration.billing.authorization-grant-type=authorization_code",
								"spring.security.oauth2.client.provider.billing.token-uri=http://localhost/token"),
						"spring.security.oauth2.client.registration.billing.authorization-grant-type must be client_credentials"),
				invalid("malformed base-url", List.of(TOKEN_URI, CLIENT_ID, C + "base-url=localhost:8081"),
						C + "base-url must be an absolute http or https URI"),
				invalid("relative base-url", List.of(TOKEN_URI, CLIENT_ID, C + "base-url=/api"),
						C + "base-url must be an absolute http or https URI"),
				invalid("malformed token-uri", List.of(CLIENT_ID, C + "token-uri=ftp://auth/token"),
						C + "token-uri must be an absolute http or https URI"),
				invalid("malformed login.uri", List.of(C + "login.uri=auth/login"),
						C + "login.uri must be an absolute http or https URI"),
				invalid("malformed login.refresh-uri",
						List.of(C + "login.uri=http://localhost/login", C + "login.refresh-uri=http//x"),
						C + "login.refresh-uri must be an absolute http or https URI"),
				invalid("refresh-uri without login", List.of(TOKEN_URI, CLIENT_ID, C + "login.refresh-uri=http://localhost/r"),
						C + "login.refresh-uri is set without " + C + "login.uri"),
				invalid("token-uri without client-id", List.of(TOKEN_URI), C + "client-id is required with " + C + "token-uri"),
				invalid("password without username", List.of(TOKEN_URI, CLIENT_ID, C + "grant-type=password", C + "password=p"),
						C + "username is required with grant-type password"),
				invalid("password without password", List.of(TOKEN_URI, CLIENT_ID, C + "grant-type=password", C + "username=u"),
						C + "password is required with grant-type password"),
				invalid("refresh_token without refresh-token", List.of(TOKEN_URI, CLIENT_ID, C + "grant-type=refresh_token"),
						C + "refresh-token is required with grant-type refresh_token"),
				invalid("jwt-bearer without assertion", List.of(TOKEN_URI, CLIENT_ID, C + "grant-type=jwt-bearer"),
						C + "assertion is required with grant-type jwt-bearer"),
				invalid("unknown grant-type", List.of(TOKEN_URI, CLIENT_ID, C + "grant-type=authorization_code"),
						C + "grant-type 'authorization_code' is not supported; use client_credentials, refresh_token, "
								+ "password or jwt-bearer"),
				invalid("grant-type with login", List.of(C + "login.uri=http://localhost/login", C + "grant-type=password"),
						C + "grant-type applies only with " + C + "token-uri"),
				invalid("unknown authentication method",
						List.of(TOKEN_URI, CLIENT_ID, C + "client-authentication-method=private_key_jwt"),
						C + "client-authentication-method must be client_secret_basic, client_secret_post or none"),
				invalid("negative refresh-before-expiry", List.of(TOKEN_URI, CLIENT_ID, C + "refresh-before-expiry=-1s"),
						C + "refresh-before-expiry must not be negative"),
				invalid("negative refresh-ahead", List.of(TOKEN_URI, CLIENT_ID, C + "refresh-ahead=-5s"),
						C + "refresh-ahead must not be negative"),
				invalid("negative rejection-cooldown", List.of(TOKEN_URI, CLIENT_ID, C + "rejection-cooldown=-1ms"),
						C + "rejection-cooldown must not be negative"),
				invalid("zero timeout", List.of(TOKEN_URI, CLIENT_ID, C + "timeout=0s"), C + "timeout must be positive"),
				invalid("negative timeout", List.of(TOKEN_URI, CLIENT_ID, C + "timeout=-3s"), C + "timeout must be positive"),
				invalid("negative retry-on-unauthorized", List.of(TOKEN_URI, CLIENT_ID, C + "retry-on-unauthorized=-1"),
						C + "retry-on-unauthorized must not be negative"),
				invalid("empty header-name", List.of(TOKEN_URI, CLIENT_ID, C + "header-name="),
						C + "header-name must not be empty"));
	}

	private static Arguments invalid(String name, List<String> properties, String expected) {
		return Arguments.argumentSet(name, properties, expected);
	}

	@ParameterizedTest
	@MethodSource("invalidConfigurations")
	void invalidConfigurationFailsTheStartNamingThePropertyAndTheFix(List<String> properties, String expected) {
		this.contextRunner.withPropertyValues(properties.toArray(String[]::new)).run((context) -> {
			FailureAnalysis analysis = TokenRefreshAutoConfigurationTests.analyze(context);
			assertThat(analysis.getDescription()).startsWith("Invalid token-refresh configuration: ").contains(expected);
			assertThat(analysis.getAction()).isNotBlank();
		});
	}

	@Test
	void missingTokenSourceFailsTheStartEvenWithLazyInitialization() {
		this.contextRunner
			.withInitializer((context) -> context
				.addBeanFactoryPostProcessor(new LazyInitializationBeanFactoryPostProcessor()))
			.withPropertyValues(C + "base-url=http://localhost:8081")
			.run((context) -> assertThat(TokenRefreshAutoConfigurationTests.analyze(context).getDescription())
				.contains("token-refresh.clients.billing has no token source"));
	}

	@Test
	void failureMessagesNeverContainConfiguredSecrets() {
		this.contextRunner
			.withPropertyValues(TOKEN_URI, CLIENT_ID, C + "client-secret=s3cr3t-value", C + "grant-type=password",
					C + "password=pa55word-value")
			.run((context) -> {
				FailureAnalysis analysis = TokenRefreshAutoConfigurationTests.analyze(context);
				assertThat(analysis.getDescription() + analysis.getAction()).doesNotContain("s3cr3t-value")
					.doesNotContain("pa55word-value");
				assertThat(context.getStartupFailure()).hasStackTraceContaining("username is required")
					.satisfies((ex) -> assertThat(stackTrace(ex)).doesNotContain("s3cr3t-value", "pa55word-value"));
			});
	}

	@Test
	void validConfigurationsOfEveryKindStart() {
		this.contextRunner.withPropertyValues(TOKEN_URI, CLIENT_ID, C + "base-url=https://api.example.com/v1",
				C + "grant-type=password", C + "username=u", C + "password=p", C + "scope=read,write",
				C + "client-authentication-method=client_secret_post", C + "timeout=2s",
				"token-refresh.clients.seeded.token-uri=http://localhost:9000/oauth2/token",
				"token-refresh.clients.seeded.client-id=app", "token-refresh.clients.seeded.grant-type=refresh_token",
				"token-refresh.clients.seeded.refresh-token=r",
				"token-refresh.clients.signed.token-uri=http://localhost:9000/oauth2/token",
				"token-refresh.clients.signed.client-id=app", "token-refresh.clients.signed.grant-type=jwt-bearer",
				"token-refresh.clients.signed.assertion=eyJ.x.y",
				"token-refresh.clients.inhouse.login.uri=http://localhost:9000/auth/login",
				"token-refresh.clients.inhouse.login.refresh-uri=http://localhost:9000/auth/refresh",
				"token-refresh.clients.inhouse.login.format=form", "token-refresh.clients.inhouse.login.body.username=u",
				"token-refresh.clients.inhouse.login.body.password=p")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				TokenRefreshProperties properties = context.getBean(TokenRefreshProperties.class);
				assertThat(properties.getClients()).containsOnlyKeys("billing", "seeded", "signed", "inhouse");
				assertThat(properties.getClients().get("inhouse").getLogin().getBody()).containsEntry("username", "u")
					.containsEntry("password", "p");
				assertThat(properties.getClients().get("billing").getScope()).containsExactly("read", "write");
			});
	}

	@Test
	void failureAnalyzerIsRegisteredInSpringFactories() {
		// Boot's own analyzers need constructor arguments; only whether ours loads matters here.
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader.forDefaultResourceLocation()
			.load(FailureAnalyzer.class, (factoryType, implementationName, failure) -> {
			});
		assertThat(analyzers).hasAtLeastOneElementOfType(TokenRefreshFailureAnalyzer.class);
	}

	@Test
	void applicationThatFailsToStartReportsThePropertyAndTheFix(CapturedOutput output) {
		SpringApplication application = new SpringApplication(MinimalApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		assertThatException().isThrownBy(() -> application.run("--" + C + "base-url=localhost:8081", "--" + TOKEN_URI,
				"--" + CLIENT_ID, "--spring.main.banner-mode=off"));
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Invalid token-refresh configuration: " + C + "base-url must be an absolute http or https URI")
			.contains("Update " + C + "base-url in your application's configuration.");
	}

	private static String stackTrace(Throwable ex) {
		StringWriter writer = new StringWriter();
		ex.printStackTrace(new PrintWriter(writer));
		return writer.toString();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ WebClientAutoConfiguration.class, TokenRefreshAutoConfiguration.class })
	static class MinimalApplication {

	}

}
