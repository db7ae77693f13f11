package io.github.tokenrefresh.benchmarks;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import org.reactivestreams.Publisher;

/**
 * A resource server and a token server on free loopback ports, with their own event loops so that they compete
 * with the client for the CPU as a neighbour process would, not for the client's own threads.
 * <p>
 * The resource server answers {@code 200 ok} to a bearer token the token server issued, that has not expired and
 * was not revoked, and {@code 401} to anything else. The token server answers client_credentials requests with
 * a new token each time, counts the calls, and can be slowed down and made to issue short-lived tokens.
 */
final class BenchmarkServers implements AutoCloseable {

	static final String CLIENT_ID = "bench-client";

	static final String CLIENT_SECRET = "bench-secret";

	private final LoopResources loops = LoopResources.create("bench-server", 2, true);

	/** Issued token value to its expiry. */
	private final ConcurrentMap<String, Instant> issued = new ConcurrentHashMap<>();

	private final Set<String> revoked = ConcurrentHashMap.newKeySet();

	private final AtomicLong tokenCalls = new AtomicLong();

	private final AtomicLong resourceRequests = new AtomicLong();

	private final AtomicLong unauthorized = new AtomicLong();

	private final List<long[]> tokenCallWindows = new ArrayList<>();

	private volatile Duration tokenDelay = Duration.ZERO;

	private volatile Duration tokenLifetime = Duration.ofHours(1);

	/** Expiry of every token a token call issued, in the order of the calls. */
	private final List<Instant> expiries = new ArrayList<>();

	private final DisposableServer resourceServer;

	private final DisposableServer tokenServer;

	BenchmarkServers() {
		this.resourceServer = HttpServer.create().host("127.0.0.1").port(0).runOn(this.loops)
			.handle(this::resource).bindNow();
		this.tokenServer = HttpServer.create().host("127.0.0.1").port(0).runOn(this.loops)
			.handle(this::token).bindNow();
	}

	String resourceBaseUrl() {
		return "http://127.0.0.1:" + this.resourceServer.port();
	}

	String resourceUri() {
		return resourceBaseUrl() + "/api/items";
	}

	String tokenUri() {
		return "http://127.0.0.1:" + this.tokenServer.port() + "/oauth2/token";
	}

	/**
	 * Register a token that never expires and was not issued by a token call: the fixed header of variant (a).
	 */
	String fixedToken() {
		String value = "fixed-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
		this.issued.put(value, Instant.MAX);
		return value;
	}

	void tokenDelay(Duration delay) {
		this.tokenDelay = delay;
	}

	void tokenLifetime(Duration lifetime) {
		this.tokenLifetime = lifetime;
	}

	/**
	 * Whether every token issued after the first {@code issuedBefore} has expired, with a margin:
	 * the resource server refuses them, and a client that took its expiry from {@code expires_in} on receipt sees
	 * them expired too. Tokens issued before do not count: an earlier scenario's one-hour token must not hold up a
	 * variant that took none since (the fixed header never does).
	 */
	boolean tokensIssuedSinceExpired(long issuedBefore, Duration margin) {
		Instant now = Instant.now();
		synchronized (this.expiries) {
			for (int i = (int) Math.min(issuedBefore, this.expiries.size()); i < this.expiries.size(); i++) {
				if (!now.isAfter(this.expiries.get(i).plus(margin))) {
					return false;
				}
			}
		}
		return true;
	}

	/** Tokens issued so far. */
	long tokensIssued() {
		synchronized (this.expiries) {
			return this.expiries.size();
		}
	}

	/** Revoke every token issued so far, as an authorization server does after a key rotation or a breach. */
	void revokeAll() {
		this.revoked.addAll(this.issued.keySet());
	}

	long tokenCalls() {
		return this.tokenCalls.get();
	}

	long resourceRequests() {
		return this.resourceRequests.get();
	}

	long unauthorized() {
		return this.unauthorized.get();
	}

	/** Start and end ({@link System#nanoTime()}) of every token call so far. */
	List<long[]> tokenCallWindows() {
		synchronized (this.tokenCallWindows) {
			return List.copyOf(this.tokenCallWindows);
		}
	}

	private Publisher<Void> resource(HttpServerRequest request, HttpServerResponse response) {
		this.resourceRequests.incrementAndGet();
		if (isValid(request.requestHeaders().get(HttpHeaderNames.AUTHORIZATION))) {
			return response.header(HttpHeaderNames.CONTENT_TYPE, "text/plain").sendString(Mono.just("ok"));
		}
		this.unauthorized.incrementAndGet();
		return response.status(HttpResponseStatus.UNAUTHORIZED)
			.header(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
			.send();
	}

	private boolean isValid(@org.jspecify.annotations.Nullable String authorization) {
		if (authorization == null || !authorization.startsWith("Bearer ")) {
			return false;
		}
		String value = authorization.substring(7);
		Instant expiresAt = this.issued.get(value);
		return expiresAt != null && Instant.now().isBefore(expiresAt) && !this.revoked.contains(value);
	}

	private Publisher<Void> token(HttpServerRequest request, HttpServerResponse response) {
		long start = System.nanoTime();
		this.tokenCalls.incrementAndGet();
		Duration delay = this.tokenDelay;
		Mono<String> body = request.receive()
			.aggregate()
			.asString()
			.defaultIfEmpty("")
			.delayElement(delay)
			.map((form) -> issue(form, start));
		return response.header(HttpHeaderNames.CONTENT_TYPE, "application/json").sendString(body);
	}

	private String issue(String form, long start) {
		if (!form.contains("grant_type=client_credentials")) {
			throw new IllegalArgumentException("Only client_credentials is served");
		}
		Duration lifetime = this.tokenLifetime;
		String value = "tok-" + this.tokenCalls.get() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
		Instant expiresAt = Instant.now().plus(lifetime);
		this.issued.put(value, expiresAt);
		synchronized (this.expiries) {
			this.expiries.add(expiresAt);
		}
		synchronized (this.tokenCallWindows) {
			this.tokenCallWindows.add(new long[] { start, System.nanoTime() });
		}
		return "{\"access_token\":\"" + value + "\",\"token_type\":\"Bearer\",\"expires_in\":" + lifetime.toSeconds()
				+ "}";
	}

	@Override
	public void close() {
		this.resourceServer.disposeNow();
		this.tokenServer.disposeNow();
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

}
