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
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
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

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, WebClientAutoConfiguration.class,
				TokenRefreshAutoConfiguration.class));

	static Stream<Arguments> invalidConfigurations() {
		String registration = "spring.security.oauth2.client.registration.billing.";
		return Stream.of(
				invalid("no token source", "token-refresh.clients.billing has no token source; set one of "
						+ "registration-id, token-uri, issuer-uri or login.uri", C + "base-url=http://localhost:8081"),
				invalid("two token sources",
						"token-refresh.clients.billing has more than one token source (token-uri, login.uri)",
						TOKEN_URI, CLIENT_ID, C + "login.uri=http://localhost:9000/login"),
				invalid("three token sources", "has more than one token source (registration-id, token-uri, login.uri)",
						TOKEN_URI, CLIENT_ID, C + "registration-id=billing", C + "login.uri=http://localhost/login"),
				invalid("unknown registration-id", C + "registration-id names no registration: configure "
						+ "spring.security.oauth2.client.registration.nowhere.*", C + "registration-id=nowhere"),
				invalid("registration without token-uri",
						"spring.security.oauth2.client.provider.billing.token-uri is required by " + C
								+ "registration-id",
						C + "registration-id=billing", registration + "client-id=app",
						registration + "authorization-grant-type=client_credentials"),
				invalid("registration with authorization_code",
						registration + "authorization-grant-type must be client_credentials",
						C + "registration-id=billing", registration + "client-id=app",
						registration + "authorization-grant-type=authorization_code",
						"spring.security.oauth2.client.provider.billing.token-uri=http://localhost/token"),
				invalid("malformed base-url", C + "base-url must be an absolute http or https URI", TOKEN_URI,
						CLIENT_ID, C + "base-url=localhost:8081"),
				invalid("relative base-url", C + "base-url must be an absolute http or https URI", TOKEN_URI,
						CLIENT_ID, C + "base-url=/api"),
				invalid("malformed token-uri", C + "token-uri must be an absolute http or https URI", CLIENT_ID,
						C + "token-uri=ftp://auth/token"),
				invalid("malformed login.uri", C + "login.uri must be an absolute http or https URI",
						C + "login.uri=auth/login"),
				invalid("malformed login.refresh-uri", C + "login.refresh-uri must be an absolute http or https URI",
						C + "login.uri=http://localhost/login", C + "login.refresh-uri=http//x"),
				invalid("refresh-uri without login", C + "login.refresh-uri is set without " + C + "login.uri",
						TOKEN_URI, CLIENT_ID, C + "login.refresh-uri=http://localhost/r"),
				invalid("token-uri without client-id", C + "client-id is required with " + C + "token-uri",
						TOKEN_URI),
				invalid("password without username", C + "username is required with grant-type password", TOKEN_URI,
						CLIENT_ID, C + "grant-type=password", C + "password=p"),
				invalid("password without password", C + "password is required with grant-type password", TOKEN_URI,
						CLIENT_ID, C + "grant-type=password", C + "username=u"),
				invalid("refresh_token without refresh-token",
						C + "refresh-token is required with grant-type refresh_token", TOKEN_URI, CLIENT_ID,
						C + "grant-type=refresh_token"),
				invalid("jwt-bearer without assertion", C + "assertion is required with grant-type jwt-bearer",
						TOKEN_URI, CLIENT_ID, C + "grant-type=jwt-bearer"),
				invalid("unknown grant-type", C + "grant-type 'authorization_code' is not supported; use "
						+ "client_credentials, refresh_token, password, jwt-bearer or token-exchange", TOKEN_URI, CLIENT_ID,
						C + "grant-type=authorization_code"),
				invalid("grant-type with login", C + "grant-type applies only with " + C + "token-uri",
						C + "login.uri=http://localhost/login", C + "grant-type=password"),
				invalid("unknown authentication method",
						C + "client-authentication-method must be one of client_secret_basic, client_secret_post, "
								+ "none, client_secret_jwt, private_key_jwt",
						TOKEN_URI, CLIENT_ID, C + "client-authentication-method=client_secret_sha"),
				invalid("private_key_jwt without ssl-bundle",
						C + "ssl-bundle is required with client-authentication-method private_key_jwt", TOKEN_URI,
						CLIENT_ID, C + "client-authentication-method=private_key_jwt"),
				invalid("ssl-bundle naming no bundle", C + "ssl-bundle names no SSL bundle", TOKEN_URI, CLIENT_ID,
						C + "client-authentication-method=private_key_jwt", C + "ssl-bundle=nowhere"),
				invalid("key-id without private_key_jwt",
						C + "key-id applies only with client-authentication-method private_key_jwt", TOKEN_URI,
						CLIENT_ID, C + "key-id=k1"),
				invalid("ssl-bundle without private_key_jwt",
						C + "ssl-bundle applies only with client-authentication-method private_key_jwt", TOKEN_URI,
						CLIENT_ID, C + "ssl-bundle=client"),
				invalid("client_secret_jwt without client-secret",
						C + "client-secret is required with client-authentication-method client_secret_jwt",
						TOKEN_URI, CLIENT_ID, C + "client-authentication-method=client_secret_jwt"),
				invalid("client_secret_jwt with a short client-secret",
						C + "client-secret must be at least 32 bytes long with client-authentication-method "
								+ "client_secret_jwt",
						TOKEN_URI, CLIENT_ID, C + "client-authentication-method=client_secret_jwt",
						C + "client-secret=short"),
				invalid("authentication method with login.uri",
						C + "client-authentication-method applies only with " + C + "token-uri",
						C + "login.uri=http://localhost/login", C + "client-authentication-method=client_secret_post"),
				invalid("reserved parameter client_secret",
						C + "parameters.client_secret names a parameter that the OAuth 2.0 protocol owns", TOKEN_URI,
						CLIENT_ID, C + "parameters.client_secret=x"),
				invalid("reserved parameter grant_type",
						C + "parameters.grant_type names a parameter that the OAuth 2.0 protocol owns", TOKEN_URI,
						CLIENT_ID, C + "parameters.grant_type=password"),
				invalid("reserved parameter scope in capitals",
						C + "parameters.SCOPE names a parameter that the OAuth 2.0 protocol owns", TOKEN_URI,
						CLIENT_ID, C + "parameters.SCOPE=read"),
				invalid("empty parameter", C + "parameters.audience must not be empty", TOKEN_URI, CLIENT_ID,
						C + "parameters.audience="),
				invalid("token-uri and issuer-uri",
						"token-refresh.clients.billing has more than one token source (token-uri, issuer-uri)",
						TOKEN_URI, CLIENT_ID, C + "issuer-uri=http://localhost:9000"),
				invalid("malformed issuer-uri", C + "issuer-uri must be an absolute http or https URI", CLIENT_ID,
						C + "issuer-uri=auth.example.com"),
				invalid("issuer-uri without client-id", C + "client-id is required with " + C + "issuer-uri",
						C + "issuer-uri=http://localhost:9000"),
				invalid("bundle without a private key",
						C + "ssl-bundle names SSL bundle 'trust', which holds no private key", TOKEN_URI, CLIENT_ID,
						C + "client-authentication-method=private_key_jwt", C + "ssl-bundle=trust",
						"spring.ssl.bundle.pem.trust.truststore.certificate=classpath:idp/ca-cert.pem"),
				invalid("bundle with an EC P-384 key",
						C + "ssl-bundle names SSL bundle 'p384', whose key is neither RSA nor EC P-256", TOKEN_URI,
						CLIENT_ID, C + "client-authentication-method=private_key_jwt", C + "ssl-bundle=p384",
						"spring.ssl.bundle.pem.p384.keystore.private-key=classpath:idp/ec384-key.pem",
						"spring.ssl.bundle.pem.p384.keystore.certificate=classpath:idp/ec384-cert.pem"),
				invalid("unreadable client-assertion-file",
						C + "client-assertion-file names a file that does not exist or cannot be read", TOKEN_URI,
						CLIENT_ID, C + "client-authentication-method=private_key_jwt",
						C + "client-assertion-file=/nonexistent/token"),
				invalid("client-assertion-file and ssl-bundle", C + "client-assertion-file and " + C
						+ "ssl-bundle are both set", TOKEN_URI, CLIENT_ID,
						C + "client-authentication-method=private_key_jwt", C + "ssl-bundle=signing",
						C + "client-assertion-file=/nonexistent/token"),
				invalid("client-assertion-file without private_key_jwt",
						C + "client-assertion-file applies only with client-authentication-method private_key_jwt",
						TOKEN_URI, CLIENT_ID, C + "client-assertion-file=/nonexistent/token"),
				invalid("unreadable assertion-file",
						C + "assertion-file names a file that does not exist or cannot be read", TOKEN_URI,
						CLIENT_ID, C + "grant-type=jwt-bearer", C + "assertion-file=/nonexistent/token"),
				invalid("assertion-file without jwt-bearer", C + "assertion-file applies only with grant-type jwt-bearer",
						TOKEN_URI, CLIENT_ID, C + "assertion-file=/nonexistent/token"),
				invalid("token-exchange without a subject",
						C + "subject-token-file or " + C + "subject-client is required with grant-type token-exchange",
						TOKEN_URI, CLIENT_ID, C + "grant-type=token-exchange"),
				invalid("token-exchange with two subjects", C + "subject-token-file and " + C
						+ "subject-client are both set", TOKEN_URI, CLIENT_ID, C + "grant-type=token-exchange",
						C + "subject-client=other", C + "subject-token-file=/nonexistent/token"),
				invalid("subject-client naming no client",
						C + "subject-client must name another client under token-refresh.clients", TOKEN_URI,
						CLIENT_ID, C + "grant-type=token-exchange", C + "subject-client=nowhere"),
				invalid("subject-client naming itself",
						C + "subject-client must name another client under token-refresh.clients", TOKEN_URI,
						CLIENT_ID, C + "grant-type=token-exchange", C + "subject-client=billing"),
				invalid("unreadable subject-token-file",
						C + "subject-token-file names a file that does not exist or cannot be read", TOKEN_URI,
						CLIENT_ID, C + "grant-type=token-exchange", C + "subject-token-file=/nonexistent/token"),
				invalid("subject-client without token-exchange",
						C + "subject-client applies only with grant-type token-exchange", TOKEN_URI, CLIENT_ID,
						C + "subject-client=other"),
				invalid("parameters with login.uri", C + "parameters apply only to OAuth 2.0 token requests",
						C + "login.uri=http://localhost/login", C + "parameters.audience=orders"),
				invalid("negative refresh-before-expiry", C + "refresh-before-expiry must not be negative", TOKEN_URI,
						CLIENT_ID, C + "refresh-before-expiry=-1s"),
				invalid("negative refresh-ahead", C + "refresh-ahead must not be negative", TOKEN_URI, CLIENT_ID,
						C + "refresh-ahead=-5s"),
				invalid("negative rejection-cooldown", C + "rejection-cooldown must not be negative", TOKEN_URI,
						CLIENT_ID, C + "rejection-cooldown=-1ms"),
				invalid("zero timeout", C + "timeout must be positive", TOKEN_URI, CLIENT_ID, C + "timeout=0s"),
				invalid("negative timeout", C + "timeout must be positive", TOKEN_URI, CLIENT_ID, C + "timeout=-3s"),
				invalid("negative retry-on-unauthorized", C + "retry-on-unauthorized must not be negative",
						TOKEN_URI, CLIENT_ID, C + "retry-on-unauthorized=-1"),
				invalid("empty header-name", C + "header-name must not be empty", TOKEN_URI, CLIENT_ID,
						C + "header-name="));
	}

	private static Arguments invalid(String name, String expected, String... properties) {
		return Arguments.argumentSet(name, List.of(properties), expected);
	}

	@ParameterizedTest
	@MethodSource("invalidConfigurations")
	void invalidConfigurationFailsTheStartNamingThePropertyAndTheFix(List<String> properties, String expected) {
		this.contextRunner.withPropertyValues(properties.toArray(String[]::new)).run((context) -> {
			FailureAnalysis analysis = TokenRefreshAutoConfigurationTests.analyze(context);
			assertThat(analysis.getDescription()).startsWith("Invalid token-refresh configuration: ")
				.contains(expected);
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
				"token-refresh.clients.inhouse.login.format=form",
				"token-refresh.clients.inhouse.login.body.username=u",
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
