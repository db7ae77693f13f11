package io.github.tokenrefresh.idp;

import java.io.IOException;
import java.security.Principal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionAuthenticationProvider;
import org.springframework.security.oauth2.server.authorization.authentication.JwtClientAssertionDecoderFactory;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.oauth2.server.authorization.InMemoryOAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.client.InMemoryRegisteredClientRepository;
import org.springframework.security.oauth2.server.authorization.client.RegisteredClient;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.filter.OncePerRequestFilter;

import static org.springframework.security.config.Customizer.withDefaults;

/**
 * A real Spring Authorization Server (servlet, Tomcat, a free loopback port) with the registered clients a test
 * gives it. It records the form parameters of every token request and, unlike its default, refuses a client
 * assertion whose {@code jti} it has seen before (RFC 7523 §3, item 7).
 */
public final class AuthorizationServer implements AutoCloseable {

	private final ConfigurableApplicationContext context;

	private final Recorder recorder;

	private AuthorizationServer(ConfigurableApplicationContext context) {
		this.context = context;
		this.recorder = context.getBean(Recorder.class);
	}

	public static AuthorizationServer start(RegisteredClient... clients) {
		return start(0, true, clients);
	}

	/**
	 * Start a server.
	 * @param port the port, 0 for any free one
	 * @param oidc whether to publish the OpenID Connect configuration besides the RFC 8414 metadata
	 * @param clients the registered clients
	 * @return the running server
	 */
	public static AuthorizationServer start(int port, boolean oidc, RegisteredClient... clients) {
		Recorder recorder = new Recorder();
		ConfigurableApplicationContext context = new SpringApplicationBuilder(Server.class)
			.web(WebApplicationType.SERVLET)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.initializers((ctx) -> {
				ctx.getBeanFactory().registerSingleton("recorder", recorder);
				ctx.getBeanFactory()
					.registerSingleton("registeredClients", new InMemoryRegisteredClientRepository(clients));
			})
			.properties("server.port=" + port, "test.oidc=" + oidc, "server.address=127.0.0.1", "spring.main.banner-mode=off",
					"token-refresh.enabled=false")
			.run();
		return new AuthorizationServer(context);
	}

	public String issuer() {
		return "http://localhost:" + this.context.getEnvironment().getProperty("local.server.port");
	}

	public String tokenUri() {
		return issuer() + "/oauth2/token";
	}

	/**
	 * Return the form parameters of every token request received, in order.
	 */
	public List<Map<String, String>> tokenRequests() {
		return List.copyOf(this.recorder.tokenRequests);
	}

	/**
	 * Return the {@code jti} of every client assertion the server accepted.
	 */
	public List<String> acceptedAssertionIds() {
		return List.copyOf(this.recorder.acceptedIds);
	}

	/**
	 * Return the path of every metadata request received, in order.
	 */
	public List<String> metadataRequests() {
		return List.copyOf(this.recorder.metadataRequests);
	}

	@Override
	public void close() {
		this.context.close();
	}

	static final class Recorder {

		final List<Map<String, String>> tokenRequests = new CopyOnWriteArrayList<>();

		final List<String> acceptedIds = new CopyOnWriteArrayList<>();

		final List<String> metadataRequests = new CopyOnWriteArrayList<>();

		final Set<String> seenIds = ConcurrentHashMap.newKeySet();

	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Server {

		@Bean
		@Order(Ordered.HIGHEST_PRECEDENCE)
		SecurityFilterChain authorizationServerSecurityFilterChain(HttpSecurity http, Recorder recorder,
				Environment environment) {
			JwtClientAssertionDecoderFactory decoders = new JwtClientAssertionDecoderFactory();
			decoders.setJwtValidatorFactory(onlyOnce(recorder));
			http.oauth2AuthorizationServer((authorizationServer) -> {
				http.securityMatcher(authorizationServer.getEndpointsMatcher());
				if (environment.getProperty("test.oidc", Boolean.class, true)) {
					authorizationServer.oidc(withDefaults());
				}
				authorizationServer.clientAuthentication((clientAuthentication) -> clientAuthentication
					.authenticationProviders((providers) -> providers.forEach((provider) -> {
						if (provider instanceof JwtClientAssertionAuthenticationProvider jwt) {
							jwt.setJwtDecoderFactory(decoders);
						}
					})));
			});
			http.authorizeHttpRequests((authorize) -> authorize.anyRequest().authenticated());
			http.oauth2ResourceServer((resourceServer) -> resourceServer.jwt(withDefaults()));
			return http.build();
		}

		private static Function<RegisteredClient, OAuth2TokenValidator<Jwt>> onlyOnce(Recorder recorder) {
			return (client) -> new DelegatingOAuth2TokenValidator<>(
					JwtClientAssertionDecoderFactory.DEFAULT_JWT_VALIDATOR_FACTORY.apply(client), (jwt) -> {
						String id = jwt.getId();
						if (id == null || !recorder.seenIds.add(id)) {
							return OAuth2TokenValidatorResult
								.failure(new OAuth2Error("invalid_client", "replayed client assertion", null));
						}
						recorder.acceptedIds.add(id);
						return OAuth2TokenValidatorResult.success();
					});
		}

		// Spring Authorization Server exchanges only a subject token whose authorization has a principal, which it
		// records for user grants but not for client_credentials: give those the client as principal, so that a
		// service's own token can be exchanged (RFC 8693 delegation between services).
		@Bean
		OAuth2AuthorizationService authorizationService() {
			InMemoryOAuth2AuthorizationService delegate = new InMemoryOAuth2AuthorizationService();
			return new OAuth2AuthorizationService() {

				@Override
				public void save(OAuth2Authorization authorization) {
					if (authorization.getAttribute(Principal.class.getName()) == null) {
						authorization = OAuth2Authorization.from(authorization)
							.attribute(Principal.class.getName(), UsernamePasswordAuthenticationToken
								.authenticated(authorization.getPrincipalName(), null, List.of()))
							.build();
					}
					delegate.save(authorization);
				}

				@Override
				public void remove(OAuth2Authorization authorization) {
					delegate.remove(authorization);
				}

				@Override
				public OAuth2Authorization findById(String id) {
					return delegate.findById(id);
				}

				@Override
				public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
					return delegate.findByToken(token, tokenType);
				}

			};
		}

		@Bean
		FilterRegistrationBean<OncePerRequestFilter> tokenRequestRecorder(Recorder recorder) {
			FilterRegistrationBean<OncePerRequestFilter> registration = new FilterRegistrationBean<>(
					new OncePerRequestFilter() {

						@Override
						protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
								FilterChain chain) throws ServletException, IOException {
							if (request.getRequestURI().startsWith("/.well-known/")) {
								recorder.metadataRequests.add(request.getRequestURI());
							}
							if (request.getRequestURI().endsWith("/oauth2/token")) {
								Map<String, String> parameters = new LinkedHashMap<>();
								request.getParameterMap()
									.forEach((name, values) -> parameters.put(name, String.join(",", values)));
								recorder.tokenRequests.add(Collections.unmodifiableMap(parameters));
							}
							chain.doFilter(request, response);
						}

					});
			registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
			return registration;
		}

	}

}
