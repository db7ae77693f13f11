package io.github.tokenrefresh.sample.demoserver;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.util.Assert;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Starts the demo authorization server and the demo API, each on a free loopback port, before the application
 * context is refreshed, and publishes their URLs as {@code demo.auth-server.url} and {@code demo.api.url}.
 * <p>
 * Why an initializer: application.yml refers to those URLs, and the starter binds it while the context refreshes,
 * so the ports must be known before that. Why plain WebFlux handlers and not Spring Authorization Server: that
 * one is a servlet application, and running a servlet container next to this WebFlux app would make the demo
 * bigger than what it demonstrates; a client_credentials token endpoint is a few lines.
 */
public final class DemoServers implements ApplicationContextInitializer<ConfigurableApplicationContext> {

	private static final Log logger = LogFactory.getLog(DemoServers.class);

	@Override
	public void initialize(ConfigurableApplicationContext context) {
		ConfigurableEnvironment environment = context.getEnvironment();
		DemoServerProperties properties = Binder.get(environment)
			.bindOrCreate("demo.server", DemoServerProperties.class);
		Running running = start(properties);
		environment.getPropertySources()
			.addFirst(new MapPropertySource("demoServers",
					Map.of("demo.auth-server.url", running.authServerUrl(), "demo.api.url", running.apiUrl())));
		context.getBeanFactory().registerSingleton("demoServerStats", running.stats());
		context.addApplicationListener(new StopOnClose(running));
		logger.info("Demo authorization server on " + running.authServerUrl() + ", demo API on " + running.apiUrl());
	}

	/**
	 * Start the demo servers.
	 * @param properties their settings
	 * @return the running servers
	 */
	public static Running start(DemoServerProperties properties) {
		Assert.isTrue(properties.getTokenLifetime().toSeconds() >= 1, "demo.server.token-lifetime must be at least 1s");
		DemoServerStats stats = new DemoServerStats();
		IssuedTokens tokens = new IssuedTokens(properties.getTokenLifetime(), stats, Clock.systemUTC());
		DisposableServer authServer = listen(new OAuth2TokenEndpoint(properties, tokens, stats).routes());
		DisposableServer api = listen(new LoginApi(properties, tokens, stats).routes()
			.and(new ProtectedApi(tokens, stats, properties.getRevokeRate()).routes()));
		return new Running(authServer, api, stats, properties.getTokenLifetime());
	}

	private static DisposableServer listen(RouterFunction<ServerResponse> routes) {
		return HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)))
			.bindNow();
	}

	/**
	 * The running demo servers.
	 */
	public static final class Running implements AutoCloseable {

		private final DisposableServer authServer;

		private final DisposableServer api;

		private final DemoServerStats stats;

		private final Duration tokenLifetime;

		private Running(DisposableServer authServer, DisposableServer api, DemoServerStats stats,
				Duration tokenLifetime) {
			this.authServer = authServer;
			this.api = api;
			this.stats = stats;
			this.tokenLifetime = tokenLifetime;
		}

		/**
		 * Return the base URL of the authorization server ({@code POST /oauth2/token}).
		 * @return the URL
		 */
		public String authServerUrl() {
			return "http://127.0.0.1:" + this.authServer.port();
		}

		/**
		 * Return the base URL of the API ({@code /auth/login}, {@code /auth/refresh}, {@code /orders},
		 * {@code /profile}).
		 * @return the URL
		 */
		public String apiUrl() {
			return "http://127.0.0.1:" + this.api.port();
		}

		/**
		 * Return the lifetime of the access tokens the servers issue.
		 * @return the lifetime
		 */
		public Duration tokenLifetime() {
			return this.tokenLifetime;
		}

		/**
		 * Return what the servers counted.
		 * @return the counters
		 */
		public DemoServerStats stats() {
			return this.stats;
		}

		@Override
		public void close() {
			this.api.disposeNow();
			this.authServer.disposeNow();
		}

	}

	private static final class StopOnClose implements ApplicationListener<ContextClosedEvent> {

		private final Running running;

		StopOnClose(Running running) {
			this.running = running;
		}

		@Override
		public void onApplicationEvent(ContextClosedEvent event) {
			this.running.close();
		}

	}

}
