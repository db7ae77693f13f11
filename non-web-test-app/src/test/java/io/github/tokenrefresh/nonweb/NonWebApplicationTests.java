package io.github.tokenrefresh.nonweb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.util.ClassUtils;
import org.springframework.web.context.WebApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application is started as its users start it, through {@link SpringApplication}, with only
 * {@code spring-boot-starter} and the starter on its class path: the starter must not make it a web application.
 */
class NonWebApplicationTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final MockWebServer tokenServer = new MockWebServer();

	private final MockWebServer api = new MockWebServer();

	private final AtomicInteger tokenCalls = new AtomicInteger();

	private ConfigurableApplicationContext context;

	@BeforeEach
	void startServers() throws IOException {
		this.tokenServer.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				// A fresh token on every call: a second call would show up as a second value at the API.
				int call = NonWebApplicationTests.this.tokenCalls.incrementAndGet();
				return new MockResponse.Builder().addHeader("Content-Type", "application/json")
					.body("{\"access_token\":\"job-token-" + call + "\",\"token_type\":\"Bearer\",\"expires_in\":300}")
					.build();
			}
		});
		this.api.setDispatcher(new Dispatcher() {
			@Override
			public MockResponse dispatch(RecordedRequest request) {
				boolean bearer = String.valueOf(request.getHeaders().get("Authorization")).startsWith("Bearer ");
				return new MockResponse.Builder().code(bearer ? 200 : 401).body(bearer ? "order" : "").build();
			}
		});
		this.tokenServer.start();
		this.api.start();
	}

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		this.api.close();
		this.tokenServer.close();
	}

	@Test
	void isDeducedAsANonWebApplicationAndStartsNoServer() throws IOException {
		int port = freePort();
		SpringApplication application = new SpringApplication(NonWebApplication.class);
		assertThat(application.getWebApplicationType()).isEqualTo(WebApplicationType.NONE);
		// If a server started, it would take this port: set it explicitly so that a free 8080 is not a condition.
		this.context = application.run(args("--server.port=" + port));
		assertThat(this.context).isExactlyInstanceOf(AnnotationConfigApplicationContext.class)
			.isNotInstanceOf(WebApplicationContext.class);
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress(port));
			assertThat(socket.isBound()).isTrue();
		}
		// spring-webflux is here for WebClient; nothing that serves HTTP with it may be.
		assertThat(ClassUtils.isPresent("org.springframework.web.reactive.function.client.WebClient", null)).isTrue();
		assertThat(List.of("org.springframework.boot.web.server.WebServer",
				"org.springframework.boot.webflux.autoconfigure.WebFluxAutoConfiguration",
				"org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory",
				"org.apache.catalina.startup.Tomcat", "org.eclipse.jetty.server.Server", "jakarta.servlet.Servlet"))
			.noneMatch((type) -> ClassUtils.isPresent(type, null));
	}

	@Test
	void theAutowiredWebClientCallsTheApiWithOneTokenForThreeRequests() throws InterruptedException {
		this.context = new SpringApplication(NonWebApplication.class).run(args());
		OrdersJob job = this.context.getBean(OrdersJob.class);

		for (int i = 1; i <= 3; i++) {
			assertThat(job.order("o-" + i).block(TIMEOUT)).isEqualTo("order");
		}

		assertThat(this.tokenServer.getRequestCount()).isEqualTo(1);
		RecordedRequest tokenRequest = this.tokenServer.takeRequest(0, TimeUnit.MILLISECONDS);
		assertThat(tokenRequest.getBody().utf8()).contains("grant_type=client_credentials");
		assertThat(this.api.getRequestCount()).isEqualTo(3);
		for (int i = 1; i <= 3; i++) {
			RecordedRequest request = this.api.takeRequest(0, TimeUnit.MILLISECONDS);
			assertThat(request.getUrl().encodedPath()).isEqualTo("/orders/o-" + i);
			assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer job-token-1");
		}
	}

	private String[] args(String... more) {
		String[] args = new String[2 + more.length];
		args[0] = "--orders.api-url=" + this.api.url("/orders");
		args[1] = "--orders.token-uri=" + this.tokenServer.url("/oauth2/token");
		System.arraycopy(more, 0, args, 2, more.length);
		return args;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
