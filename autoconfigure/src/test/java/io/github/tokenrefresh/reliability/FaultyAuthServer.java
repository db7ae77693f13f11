package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;

/**
 * An authorization server and a resource server in one reactor-netty server on a free loopback port, for
 * clients named {@code orders} (OAuth 2.0 client_credentials at {@code /orders/oauth2/token}) and {@code billing}
 * (an in-house login at {@code /billing/login}), whose resources live under {@code /<client>-api/}.
 * <p>
 * Faults a test turns on: short token lifetimes (the resource server refuses an expired token), random
 * revocation of the current token (answered 401 with a well-formed, a malformed or no {@code WWW-Authenticate}),
 * slow token answers and 500/503 token answers. Every issuance is audited: the token it replaces must have been
 * revoked or be due for refresh by the client's rules, or it is recorded as unjustified.
 */
final class FaultyAuthServer implements AutoCloseable {

	private static final String[] CHALLENGES = { "Bearer error=\"invalid_token\"", "", "Bearer error=" };

	private final DisposableServer server;

	private final Duration lifetime;

	private final long dueNanos;

	private final Map<String, Issued> current = new ConcurrentHashMap<>();

	private final Map<String, Issued> tokens = new ConcurrentHashMap<>();

	private final Set<String> revoked = ConcurrentHashMap.newKeySet();

	private final Map<String, Counters> counters = new ConcurrentHashMap<>();

	private final List<Unjustified> unjustified = new CopyOnWriteArrayList<>();

	private final List<Issued> issuances = new CopyOnWriteArrayList<>();

	private final Set<String> received = ConcurrentHashMap.newKeySet();

	private final AtomicInteger resourceRequests = new AtomicInteger();

	private final AtomicInteger unauthorized = new AtomicInteger();

	private final List<String> bodies = new CopyOnWriteArrayList<>();

	private final Map<String, Set<String>> presented = new ConcurrentHashMap<>();

	private volatile double failureRate;

	private volatile double slowRate;

	private volatile Duration slowDelay = Duration.ZERO;

	private volatile double revokeRate;

	private volatile boolean rejecting;

	private volatile @Nullable String challenge;

	/**
	 * Start a server issuing tokens with the given lifetime to clients that replace a token once less than
	 * {@code refreshBeforeExpiry} (capped at half the lifetime, as the engine does) is left.
	 */
	FaultyAuthServer(Duration lifetime, Duration refreshBeforeExpiry) {
		this.lifetime = lifetime;
		Duration window = (refreshBeforeExpiry.compareTo(lifetime.dividedBy(2)) < 0) ? refreshBeforeExpiry
				: lifetime.dividedBy(2);
		this.dueNanos = lifetime.minus(window).toNanos();
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.post("/orders/oauth2/token", (request, response) -> token(request, response,
					"orders"))
				.post("/billing/login", (request, response) -> token(request, response, "billing"))
				.route((request) -> request.uri().startsWith("/orders-api/"),
						(request, response) -> resource(request, response, "orders"))
				.route((request) -> request.uri().startsWith("/billing-api/"),
						(request, response) -> resource(request, response, "billing")))
			.bindNow();
	}

	String url() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/**
	 * The properties of a Spring Boot application with the {@code orders} and {@code billing} clients of this
	 * server.
	 */
	List<String> clientProperties() {
		String c = "token-refresh.clients.";
		return List.of(c + "orders.base-url=" + url() + "/orders-api",
				c + "orders.token-uri=" + url() + "/orders/oauth2/token", c + "orders.client-id=orders",
				c + "orders.client-secret=orders-secret", c + "billing.base-url=" + url() + "/billing-api",
				c + "billing.login.uri=" + url() + "/billing/login", c + "billing.login.body.username=billing",
				c + "billing.login.body.password=billing-password");
	}

	void failures(double rate) {
		this.failureRate = rate;
	}

	void slowness(double rate, Duration delay) {
		this.slowRate = rate;
		this.slowDelay = delay;
	}

	void revocations(double rate) {
		this.revokeRate = rate;
	}

	/**
	 * Send this {@code WWW-Authenticate} value (none when empty) with every 401 instead of a random one.
	 */
	void challenge(String challenge) {
		this.challenge = challenge;
	}

	/**
	 * Answer every token request with 401 {@code invalid_client}, or stop doing so.
	 */
	void rejecting(boolean rejecting) {
		this.rejecting = rejecting;
	}

	int tokenCalls(String client) {
		return counters(client).calls.get();
	}

	int issued(String client) {
		return counters(client).issued.get();
	}

	int failedAnswers(String client) {
		return counters(client).failed.get();
	}

	int revoked(String client) {
		return counters(client).revoked.get();
	}

	int dueReplacements(String client) {
		return counters(client).due.get();
	}

	int resourceRequests() {
		return this.resourceRequests.get();
	}

	/**
	 * Return the non-empty request bodies the resource server received, in order.
	 */
	List<String> resourceBodies() {
		return this.bodies.stream().filter((body) -> !body.isEmpty()).toList();
	}

	int unauthorized() {
		return this.unauthorized.get();
	}

	/**
	 * Return every token value the resource server saw for the client.
	 */
	Set<String> presented(String client) {
		return Set.copyOf(this.presented.getOrDefault(client, Set.of()));
	}

	/**
	 * Revoke a token: the resource server answers 401 to it from now on.
	 */
	void revoke(String token) {
		Issued issued = this.tokens.get(token);
		if (issued != null && this.revoked.add(token)) {
			counters(issued.client()).revoked.incrementAndGet();
		}
	}

	List<String> unjustifiedIssuances() {
		return this.unjustified.stream().map(Unjustified::description).toList();
	}

	/**
	 * Return the unjustified issuances that happened before the given {@link System#nanoTime()}.
	 */
	List<String> unjustifiedIssuancesBefore(long nanoTime) {
		return this.unjustified.stream()
			.filter((issuance) -> issuance.nanoTime() - nanoTime < 0)
			.map(Unjustified::description)
			.toList();
	}

	/**
	 * Note that the client read the whole answer that issued {@code token}: see {@link #auditOfReceived(String)}.
	 */
	void received(String token) {
		this.received.add(token);
	}

	/**
	 * Audit the tokens the client received, in the order they were issued. An issuance whose answer the client
	 * never read (the connection closed as the answer went out; the client's timeout) is lost, not an extra
	 * issuance of the client's: the client retried a call that, as far as it knows, failed. Every received token
	 * but the first must replace a received token that was revoked or due, or it is unjustified.
	 */
	Audit auditOfReceived(String client) {
		int receivedCount = 0;
		int lost = 0;
		int due = 0;
		int revokedReplaced = 0;
		List<String> unjustified = new java.util.ArrayList<>();
		Issued previous = null;
		for (Issued issued : this.issuances) {
			if (!issued.client().equals(client)) {
				continue;
			}
			if (!this.received.contains(issued.value())) {
				lost++;
				continue;
			}
			receivedCount++;
			if (previous != null) {
				long age = issued.issuedNanos() - previous.issuedNanos();
				if (this.revoked.contains(previous.value())) {
					revokedReplaced++;
				}
				else if (age >= this.dueNanos) {
					due++;
				}
				else {
					unjustified.add(client + ": " + previous.value() + " replaced by " + issued.value() + " after "
							+ Duration.ofNanos(age).toMillis() + " ms");
				}
			}
			previous = issued;
		}
		return new Audit(receivedCount, lost, due, revokedReplaced, unjustified);
	}

	@Nullable String currentToken(String client) {
		Issued issued = this.current.get(client);
		return (issued != null) ? issued.value() : null;
	}

	private Counters counters(String client) {
		return this.counters.computeIfAbsent(client, (name) -> new Counters());
	}

	private Publisher<Void> token(HttpServerRequest request, HttpServerResponse response, String client) {
		counters(client).calls.incrementAndGet();
		ThreadLocalRandom random = ThreadLocalRandom.current();
		Duration delay = (random.nextDouble() < this.slowRate)
				? Duration.ofMillis(random.nextLong(this.slowDelay.toMillis() / 3, this.slowDelay.toMillis() + 1))
				: Duration.ZERO;
		boolean fail = random.nextDouble() < this.failureRate;
		return request.receive()
			.aggregate()
			.asString()
			.defaultIfEmpty("")
			// Answer on the event loop unless slow: Reactor's timer threads are non-blocking ones to BlockHound, and
			// Netty's allocator may briefly lock.
			.then(delay.isZero() ? Mono.empty() : Mono.delay(delay).then())
			.then(Mono.defer(() -> fail ? fail(response, client) : this.rejecting ? reject(response, client)
					: issue(response, client)));
	}

	private Mono<Void> reject(HttpServerResponse response, String client) {
		counters(client).failed.incrementAndGet();
		return response.status(401)
			.header("Content-Type", "application/json")
			.sendString(Mono.just("{\"error\":\"invalid_client\"}"))
			.then();
	}

	private Mono<Void> fail(HttpServerResponse response, String client) {
		counters(client).failed.incrementAndGet();
		if (ThreadLocalRandom.current().nextBoolean()) {
			return response.status(500)
				.header("Content-Type", "application/json")
				.sendString(Mono.just("{\"error\":\"server_error\"}"))
				.then();
		}
		return response.status(503).header("Content-Type", "text/plain").sendString(Mono.just("busy")).then();
	}

	private Mono<Void> issue(HttpServerResponse response, String client) {
		Issued issued = issue(client);
		String body = "{\"access_token\":\"" + issued.value() + "\",\"token_type\":\"Bearer\",\"expires_in\":"
				+ this.lifetime.toSeconds() + "}";
		return response.status(200).header("Content-Type", "application/json").sendString(Mono.just(body)).then();
	}

	private synchronized Issued issue(String client) {
		long now = System.nanoTime();
		Counters counters = counters(client);
		Issued previous = this.current.get(client);
		if (previous != null && !this.revoked.contains(previous.value())) {
			long age = now - previous.issuedNanos();
			if (age >= this.dueNanos) {
				counters.due.incrementAndGet();
			}
			else {
				this.unjustified.add(new Unjustified(now, client + ": " + previous.value() + " replaced after "
						+ Duration.ofNanos(age).toMillis() + " ms"));
			}
		}
		Issued issued = new Issued(client, client + "-" + counters.issued.incrementAndGet(), now);
		this.tokens.put(issued.value(), issued);
		this.current.put(client, issued);
		this.issuances.add(issued);
		return issued;
	}

	private Publisher<Void> resource(HttpServerRequest request, HttpServerResponse response, String client) {
		// Read the whole request body (a POST's) before answering, as a real server would.
		return request.receive().aggregate().asString().defaultIfEmpty("").flatMap((body) -> {
			if (!body.isEmpty()) {
				this.bodies.add(body);
			}
			return Mono.from(answer(request, response, client));
		});
	}

	private Publisher<Void> answer(HttpServerRequest request, HttpServerResponse response, String client) {
		this.resourceRequests.incrementAndGet();
		String authorization = request.requestHeaders().get("Authorization");
		String value = (authorization != null && authorization.startsWith("Bearer ")) ? authorization.substring(7)
				: null;
		Issued token = (value != null) ? this.tokens.get(value) : null;
		if (value != null) {
			this.presented.computeIfAbsent(client, (name) -> ConcurrentHashMap.newKeySet()).add(value);
		}
		if (token == null || !token.client().equals(client) || this.revoked.contains(value)
				|| System.nanoTime() - token.issuedNanos() > this.lifetime.toNanos()) {
			return unauthorized(response);
		}
		if (this.current.get(client) == token && ThreadLocalRandom.current().nextDouble() < this.revokeRate
				&& this.revoked.add(value)) {
			counters(client).revoked.incrementAndGet();
			return unauthorized(response);
		}
		return response.status(200).header("Content-Type", "text/plain").sendString(Mono.just("ok"));
	}

	private Publisher<Void> unauthorized(HttpServerResponse response) {
		this.unauthorized.incrementAndGet();
		String fixed = this.challenge;
		String challenge = (fixed != null) ? fixed : CHALLENGES[ThreadLocalRandom.current().nextInt(CHALLENGES.length)];
		if (!challenge.isEmpty()) {
			response.header("WWW-Authenticate", challenge);
		}
		return response.status(401)
			.header("Content-Type", "application/json")
			.sendString(Mono.just("{\"error\":\"invalid_token\"}"));
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(5));
	}

	private record Issued(String client, String value, long issuedNanos) {
	}

	private record Unjustified(long nanoTime, String description) {
	}

	/**
	 * What {@link #auditOfReceived(String)} found.
	 */
	record Audit(int received, int lost, int due, int revokedReplaced, List<String> unjustified) {
	}

	private static final class Counters {

		final AtomicInteger calls = new AtomicInteger();

		final AtomicInteger issued = new AtomicInteger();

		final AtomicInteger failed = new AtomicInteger();

		final AtomicInteger revoked = new AtomicInteger();

		final AtomicInteger due = new AtomicInteger();

	}

}
