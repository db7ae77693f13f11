package io.github.tokenrefresh.web;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The interceptor closes every 401 it drops, so no connection stays leased from the client's pool: Apache HttpClient
 * 5's pool, whose leases can be counted, holds a connection until its response is closed.
 */
class TokenRefreshClientHttpRequestInterceptorConnectionTests {

	private static final int POOL_SIZE = 10;

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final Set<String> rejectedOnce = ConcurrentHashMap.newKeySet();

	private final AtomicInteger unauthorized = new AtomicInteger();

	private MockWebServer server;

	private PoolingHttpClientConnectionManager pool;

	private CloseableHttpClient httpClient;

	@BeforeEach
	void start() throws IOException {
		this.server = new MockWebServer();
		this.server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return answer(request);
			}

		});
		this.server.start();
		this.pool = PoolingHttpClientConnectionManagerBuilder.create()
			.setMaxConnTotal(POOL_SIZE)
			.setMaxConnPerRoute(POOL_SIZE)
			.build();
		// A leaked connection shows as a failed lease within seconds instead of a hang.
		this.httpClient = HttpClients.custom()
			.setConnectionManager(this.pool)
			.setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(Timeout.ofSeconds(10)).build())
			.build();
	}

	@AfterEach
	void stop() throws IOException {
		this.httpClient.close();
		this.server.close();
	}

	/**
	 * Every fifth order is answered 401, with a body, the first time it is asked for, whatever its token.
	 */
	private MockResponse answer(RecordedRequest request) {
		String path = request.getUrl().encodedPath();
		int order = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
		if (order % 5 == 0 && this.rejectedOnce.add(path)) {
			this.unauthorized.incrementAndGet();
			return new MockResponse.Builder().code(401)
				.addHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
				.addHeader("Content-Type", "application/json")
				.body("{\"error\":\"invalid_token\",\"padding\":\"" + "x".repeat(4096) + "\"}")
				.build();
		}
		return new MockResponse.Builder().code(200).body("ok").build();
	}

	@Test
	void thousandRequestsOfWhichTwoHundredWereRetriedLeaveNoConnectionLeased() throws Exception {
		// Every 401 here is one a new token fixes; the 401 bound has its own tests.
		TokenManager manager = TokenManager.builder("billing", this.source)
			.store(new InMemoryTokenStore())
			.clock(this.clock)
			.unauthorizedRefreshInterval(Duration.ZERO)
			.build();
		String baseUrl = "http://localhost:" + this.server.getPort() + "/api";
		RestClient client = RestClient.builder()
			.requestFactory(new HttpComponentsClientHttpRequestFactory(this.httpClient))
			.requestInterceptor(new TokenRefreshClientHttpRequestInterceptor(
					List.of(TokenClient.builder(manager).baseUrl(baseUrl).build())))
			.baseUrl(baseUrl)
			.build();
		ExecutorService threads = Executors.newFixedThreadPool(POOL_SIZE);
		try {
			List<Future<String>> calls = new ArrayList<>();
			for (int i = 0; i < 1000; i++) {
				int order = i;
				calls.add(threads.submit(() -> client.get().uri("/orders/{order}", order).retrieve().body(String.class)));
			}
			for (Future<String> call : calls) {
				assertThat(call.get(60, TimeUnit.SECONDS)).isEqualTo("ok");
			}
		}
		finally {
			threads.shutdownNow();
		}
		assertThat(this.unauthorized).hasValue(200);
		assertThat(this.server.getRequestCount()).isEqualTo(1200);
		assertThat(this.pool.getTotalStats().getLeased()).isZero();
		assertThat(this.pool.getTotalStats().getPending()).isZero();
	}

}
