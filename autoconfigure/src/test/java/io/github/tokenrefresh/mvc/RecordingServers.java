package io.github.tokenrefresh.mvc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A counting token endpoint ({@code <client-id>-<n>} tokens, client_secret_basic) and a resource server on free
 * loopback ports. The resource server records each request's path, token header and body; it answers 401 to revoked
 * tokens, and 401 {@code insufficient_scope} to every request under {@code /api/admin}.
 */
final class RecordingServers implements AutoCloseable {

	record Received(String method, String path, String authorization, String body) {
	}

	private final MockWebServer tokenServer = new MockWebServer();

	private final MockWebServer resourceServer = new MockWebServer();

	private final Map<String, AtomicInteger> issued = new ConcurrentHashMap<>();

	private final Set<String> revoked = ConcurrentHashMap.newKeySet();

	private final List<Received> received = new CopyOnWriteArrayList<>();

	private volatile int expiresIn = 300;

	RecordingServers() {
		this.tokenServer.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return issue(request);
			}

		});
		this.resourceServer.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return serve(request);
			}

		});
	}

	RecordingServers start() throws IOException {
		this.tokenServer.start();
		this.resourceServer.start();
		return this;
	}

	String tokenUri() {
		return this.tokenServer.url("/oauth2/token").toString();
	}

	/**
	 * Return the resource server's origin, {@code http://localhost:<port>}.
	 */
	String resourceUrl() {
		return "http://localhost:" + this.resourceServer.getPort();
	}

	int tokensIssued(String clientId) {
		AtomicInteger count = this.issued.get(clientId);
		return (count != null) ? count.get() : 0;
	}

	void revoke(String token) {
		this.revoked.add(token);
	}

	void expiresIn(int seconds) {
		this.expiresIn = seconds;
	}

	List<Received> received() {
		return List.copyOf(this.received);
	}

	List<Received> last(int count) {
		List<Received> all = received();
		return all.subList(all.size() - count, all.size());
	}

	private MockResponse issue(RecordedRequest request) {
		String authorization = request.getHeaders().get("Authorization");
		String clientId = "anonymous";
		if (authorization != null && authorization.startsWith("Basic ")) {
			String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
			clientId = decoded.substring(0, decoded.indexOf(':'));
		}
		int n = this.issued.computeIfAbsent(clientId, (id) -> new AtomicInteger()).incrementAndGet();
		return new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/json")
			.body("{\"access_token\":\"" + clientId + "-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":"
					+ this.expiresIn + "}")
			.build();
	}

	private MockResponse serve(RecordedRequest request) {
		String authorization = request.getHeaders().get("Authorization");
		String path = request.getUrl().encodedPath();
		this.received.add(new Received(request.getMethod(), path, (authorization != null) ? authorization : "",
				(request.getBody() != null) ? request.getBody().utf8() : ""));
		if (authorization != null && this.revoked.contains(authorization.replace("Bearer ", ""))) {
			return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
				.build();
		}
		if (path.startsWith("/api/admin")) {
			return new MockResponse.Builder().code(401)
				.addHeader("WWW-Authenticate", "Bearer error=\"insufficient_scope\", scope=\"admin\"")
				.build();
		}
		return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/plain")
			.body("ok " + path)
			.build();
	}

	@Override
	public void close() {
		this.tokenServer.close();
		this.resourceServer.close();
	}

}
