package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.test.StepVerifier;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every kind of bad answer a token endpoint can give, for an OAuth 2.0 client ({@code orders}) and an in-house
 * login client ({@code billing}) of one Spring Boot application, each through a real request of the client's
 * WebClient: a clear {@link TokenAcquisitionException} or a documented safe reading, within a bounded time, with no
 * secret in the message. The sources' own tests cover the parsing in isolation (OAuth2TokenSourceTests,
 * LoginTokenSourceTests, TokenEndpointsTests); this table proves what an application sees.
 */
class TokenEndpointBadInputTests {

	private static final Duration BOUND = Duration.ofSeconds(15);

	private static final String TOKEN = "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":300}";

	private static final AtomicReference<BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>>> script =
			new AtomicReference<>();

	private static final AtomicInteger tokenCalls = new AtomicInteger();

	private static final AtomicInteger redirectedCalls = new AtomicInteger();

	private static DisposableServer server;

	private static ConfigurableApplicationContext context;

	@BeforeAll
	static void start() {
		server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes
				.post("/orders/oauth2/token", (request, response) -> tokenCall(request, response))
				.post("/billing/login", (request, response) -> tokenCall(request, response))
				.post("/elsewhere/token", (request, response) -> {
					redirectedCalls.incrementAndGet();
					return request.receive().then(json(response, 200, TOKEN));
				})
				.route((request) -> request.uri().contains("-api/"),
						(request, response) -> response.sendString(Mono.just("ok"))))
			.bindNow();
		String url = "http://127.0.0.1:" + server.port();
		String c = "token-refresh.clients.";
		context = Applications.start(List.of(c + "orders.base-url=" + url + "/orders-api",
				c + "orders.token-uri=" + url + "/orders/oauth2/token", c + "orders.client-id=orders",
				c + "orders.client-secret=orders-secret", c + "orders.client-authentication-method=client_secret_post",
				c + "orders.timeout=1s", c + "orders.rejection-cooldown=0s", c + "billing.base-url=" + url + "/billing-api",
				c + "billing.login.uri=" + url + "/billing/login", c + "billing.login.body.username=billing",
				c + "billing.login.body.password=billing-password", c + "billing.timeout=1s",
				c + "billing.rejection-cooldown=0s",
				// The size case's clients: a 1 s timeout can run out on a loaded machine before the first megabyte
				// has arrived, and a timeout is retried, which would hide whether a too large body is.
				c + "ordersLarge.base-url=" + url + "/orders-large-api",
				c + "ordersLarge.token-uri=" + url + "/orders/oauth2/token", c + "ordersLarge.client-id=orders",
				c + "ordersLarge.client-secret=orders-secret",
				c + "ordersLarge.client-authentication-method=client_secret_post", c + "ordersLarge.timeout=60s",
				c + "ordersLarge.rejection-cooldown=0s", c + "billingLarge.base-url=" + url + "/billing-large-api",
				c + "billingLarge.login.uri=" + url + "/billing/login", c + "billingLarge.login.body.username=billing",
				c + "billingLarge.login.body.password=billing-password", c + "billingLarge.timeout=60s",
				c + "billingLarge.rejection-cooldown=0s"));
	}

	@AfterAll
	static void stop() {
		context.close();
		server.disposeNow();
	}

	@BeforeEach
	void forgetTokens() {
		for (TokenManager manager : Applications.managers(context)) {
			manager.evict().block(BOUND);
		}
		tokenCalls.set(0);
		redirectedCalls.set(0);
	}

	static Stream<Arguments> badAnswers() {
		return Stream.of(
				// Unusable bodies: a failure, never a rejection, never retried.
				both("empty body", (response) -> json(response, 200, ""), failed("empty")),
				both("non-JSON body", (response) -> response.status(200).header("Content-Type", "text/html")
					.sendString(Mono.just("<html><body>Sign in</body></html>")).then(), failed("JSON")),
				both("JSON array", (response) -> json(response, 200, "[" + TOKEN + "]"), failed("JSON object")),
				both("missing access_token", (response) -> json(response, 200, "{\"token_type\":\"Bearer\"}"),
						failed("access")),
				both("access_token not a string", (response) -> json(response, 200, "{\"access_token\":42}"),
						failed("access")),
				// Lifetimes the starter cannot use mean an unknown expiry: the token is used until a 401.
				both("expires_in negative", (response) -> json(response, 200, token("-5")), unknownExpiry()),
				both("expires_in zero", (response) -> json(response, 200, token("0")), unknownExpiry()),
				both("expires_in a string", (response) -> json(response, 200, token("\"soon\"")), unknownExpiry()),
				both("expires_in a numeric string", (response) -> json(response, 200, token("\"300\"")),
						expiresWithin(Duration.ofSeconds(300))),
				// Absurd lifetimes are capped at ten years so that no expiry overflows.
				both("expires_in absurdly large", (response) -> json(response, 200, token("1000000000000000000")),
						expiresWithin(Duration.ofDays(3650))),
				// token_type: an OAuth 2.0 token of another type cannot be sent as a bearer token; a login
				// endpoint's token_type means nothing to the starter.
				oauth2("token_type mac", (response) -> json(response, 200, TOKEN.replace("Bearer", "mac")),
						failed("not a valid OAuth 2.0 access token response")),
				login("token_type mac", (response) -> json(response, 200, TOKEN.replace("Bearer", "mac")),
						succeeds()),
				oauth2("200 with an OAuth 2.0 error body",
						(response) -> json(response, 200, "{\"error\":\"invalid_client\"}"), rejected()),
				login("200 with an OAuth 2.0 error body",
						(response) -> json(response, 200, "{\"error\":\"invalid_client\"}"), failed("access token")),
				large("10 MB body", (response) -> response.status(200).header("Content-Type", "application/json")
					.sendString(Flux.range(0, 160).map((i) -> (i == 0) ? "{\"access_token\":\"" : "x".repeat(65536)))
					.then(), failed("larger than")),
				both("redirect", (response) -> response.status(302)
					.header("Location", "http://127.0.0.1:" + server.port() + "/elsewhere/token")
					.send()
					.then(), failed("redirects are not followed")),
				both("body that never ends", (response) -> response.status(200)
					.header("Content-Type", "application/json")
					.sendString(Flux.concat(Mono.just("{\"access_token\":\""),
							Flux.interval(Duration.ofMillis(100)).map((i) -> "x")))
					.then(), failed("no answer within 1000 ms")))
			.flatMap(Function.identity());
	}

	@ParameterizedTest
	@MethodSource("badAnswers")
	void badAnswerGivesAClearExceptionOrADocumentedSafeReading(String client,
			BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> answer, Expectation expectation) {
		script.set(answer);
		Mono<String> request = context.getBean(client, WebClient.class)
			.get()
			.uri("/items")
			.retrieve()
			.bodyToMono(String.class);
		expectation.verify(StepVerifier.create(request), context.getBean(client + "TokenManager", TokenManager.class));
		assertThat(redirectedCalls).as("calls that followed a redirect").hasValue(0);
	}

	private static Publisher<Void> tokenCall(HttpServerRequest request, HttpServerResponse response) {
		tokenCalls.incrementAndGet();
		return request.receive().then(Mono.defer(() -> Mono.from(script.get().apply(request, response))));
	}

	private static Mono<Void> json(HttpServerResponse response, int status, String body) {
		return response.status(status).header("Content-Type", "application/json").sendString(Mono.just(body)).then();
	}

	private static String token(String expiresIn) {
		return "{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":" + expiresIn + "}";
	}

	private static Stream<Arguments> oauth2(String name, Function<HttpServerResponse, Publisher<Void>> answer,
			Expectation expectation) {
		return Stream.of(Arguments.argumentSet("oauth2: " + name, "orders", script(answer), expectation));
	}

	private static Stream<Arguments> login(String name, Function<HttpServerResponse, Publisher<Void>> answer,
			Expectation expectation) {
		return Stream.of(Arguments.argumentSet("login: " + name, "billing", script(answer), expectation));
	}

	private static Stream<Arguments> both(String name,
			Function<HttpServerResponse, Publisher<Void>> answer, Expectation expectation) {
		return Stream.concat(oauth2(name, answer, expectation), login(name, answer, expectation));
	}

	private static Stream<Arguments> large(String name, Function<HttpServerResponse, Publisher<Void>> answer,
			Expectation expectation) {
		return Stream.of(Arguments.argumentSet("oauth2: " + name, "ordersLarge", script(answer), expectation),
				Arguments.argumentSet("login: " + name, "billingLarge", script(answer), expectation));
	}

	private static BiFunction<HttpServerRequest, HttpServerResponse, Publisher<Void>> script(
			Function<HttpServerResponse, Publisher<Void>> answer) {
		return (request, response) -> answer.apply(response);
	}

	/**
	 * The request fails with a failure (not a rejection) whose message says what was wrong, after one token call
	 * or, for a timeout, the documented retries.
	 */
	private static Expectation failed(String reason) {
		return (verifier, manager) -> {
			verifier.expectErrorSatisfies((ex) -> {
				assertThat(ex).isInstanceOf(TokenAcquisitionException.class)
					.hasMessageContaining(manager.getClientName())
					.hasMessageContaining(reason)
					.satisfies((failure) -> assertThat(((TokenAcquisitionException) failure).isRejected()).isFalse());
				assertNoSecret(ex);
			}).verify(BOUND);
			assertThat(tokenCalls).hasValue(reason.startsWith("no answer") ? 4 : 1);
		};
	}

	private static Expectation rejected() {
		return (verifier, manager) -> {
			verifier.expectErrorSatisfies((ex) -> {
				assertThat(ex).isInstanceOf(TokenAcquisitionException.class);
				assertThat(((TokenAcquisitionException) ex).isRejected()).isTrue();
				assertNoSecret(ex);
			}).verify(BOUND);
			assertThat(tokenCalls).hasValue(1);
		};
	}

	private static Expectation succeeds() {
		return (verifier, manager) -> {
			verifier.expectNext("ok").expectComplete().verify(BOUND);
			assertThat(tokenCalls).hasValue(1);
		};
	}

	private static Expectation unknownExpiry() {
		return storedToken((token) -> assertThat(token.getExpiresAt()).isNull());
	}

	private static Expectation expiresWithin(Duration lifetime) {
		return storedToken((token) -> assertThat(token.getExpiresAt()).isNotNull()
			.isBeforeOrEqualTo(Instant.now().plus(lifetime))
			.isAfter(Instant.now().plus(lifetime).minusSeconds(60)));
	}

	private static Expectation storedToken(Consumer<Token> check) {
		return (verifier, manager) -> {
			succeeds().verify(verifier, manager);
			Token token = manager.getStoredToken().block(BOUND);
			assertThat(token).isNotNull();
			assertThat(token.getAccessToken()).isEqualTo("at-1");
			check.accept(token);
		};
	}

	private static void assertNoSecret(Throwable ex) {
		assertThat(ex.getMessage()).doesNotContain("orders-secret", "billing-password", "at-1");
	}

	@FunctionalInterface
	interface Expectation {

		void verify(StepVerifier.FirstStep<String> verifier, TokenManager manager);

	}

}
