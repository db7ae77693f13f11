package io.github.tokenrefresh.autoconfigure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A counting OAuth 2.0 token endpoint and a resource server on free loopback ports. The token endpoint answers
 * every token or login request with {@code <client-id or username>-<n>}; the resource server records the token
 * headers of every request and answers 401 to revoked tokens.
 */
final class TokenAndResourceServers implements AutoCloseable {

	private final MockWebServer tokenServer = new MockWebServer();

	private final MockWebServer resourceServer = new MockWebServer();

	private final Map<String, AtomicInteger> tokensIssued = new ConcurrentHashMap<>();

	private final Set<String> revoked = ConcurrentHashMap.newKeySet();

	private final List<List<String>> resourceAuthorizations = new CopyOnWriteArrayList<>();

	private final List<String> tokenRequestBodies = new CopyOnWriteArrayList<>();

	private volatile int expiresIn = 300;

	private volatile Duration tokenDelay = Duration.ZERO;

	TokenAndResourceServers() {
		this.tokenServer.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return issueToken(request);
			}

		});
		this.resourceServer.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return serveResource(request);
			}

		});
	}

	TokenAndResourceServers start() throws IOException {
		this.tokenServer.start();
		this.resourceServer.start();
		return this;
	}

	String tokenUri() {
		return this.tokenServer.url("/oauth2/token").toString();
	}

	String resourceUrl() {
		String url = this.resourceServer.url("/").toString();
		return url.substring(0, url.length() - 1);
	}

	int tokensIssued(String clientId) {
		AtomicInteger count = this.tokensIssued.get(clientId);
		return (count != null) ? count.get() : 0;
	}

	int tokenRequests() {
		return this.tokenServer.getRequestCount();
	}

	void revoke(String token) {
		this.revoked.add(token);
	}

	void expiresIn(int seconds) {
		this.expiresIn = seconds;
	}

	void delayTokens(Duration delay) {
		this.tokenDelay = delay;
	}

	List<String> tokenRequestBodies() {
		return List.copyOf(this.tokenRequestBodies);
	}

	/**
	 * Return the values of the Authorization header of every resource request, in order.
	 */
	List<List<String>> resourceAuthorizations() {
		return List.copyOf(this.resourceAuthorizations);
	}

	private MockResponse issueToken(RecordedRequest request) {
		this.tokenRequestBodies.add(request.getBody().utf8());
		String clientId = clientId(request);
		int n = this.tokensIssued.computeIfAbsent(clientId, (id) -> new AtomicInteger()).incrementAndGet();
		return new MockResponse.Builder().code(200)
			.headersDelay(this.tokenDelay.toMillis(), TimeUnit.MILLISECONDS)
			.addHeader("Content-Type", "application/json")
			.body("{\"access_token\":\"" + clientId + "-" + n + "\",\"token_type\":\"Bearer\",\"expires_in\":"
					+ this.expiresIn + "}")
			.build();
	}

	private static String clientId(RecordedRequest request) {
		String authorization = request.getHeaders().get("Authorization");
		if (authorization != null && authorization.startsWith("Basic ")) {
			String decoded = new String(Base64.getDecoder().decode(authorization.substring(6)), StandardCharsets.UTF_8);
			return decoded.substring(0, decoded.indexOf(':'));
		}
		String body = request.getBody().utf8();
		Matcher username = Pattern.compile("\"username\"\\s*:\\s*\"([^\"]+)\"")
			.matcher(body);
		if (username.find()) {
			return username.group(1);
		}
		String formClientId = formField(body, "client_id");
		if (formClientId != null) {
			return formClientId;
		}
		String formUsername = formField(body, "username");
		if (formUsername != null) {
			return formUsername;
		}
		return "anonymous";
	}

	private static @Nullable String formField(String body, String name) {
		for (String pair : body.split("&")) {
			if (pair.startsWith(name + "=")) {
				return pair.substring(name.length() + 1);
			}
		}
		return null;
	}

	private MockResponse serveResource(RecordedRequest request) {
		List<String> authorizations = request.getHeaders().values("Authorization");
		this.resourceAuthorizations.add(authorizations);
		if (authorizations.size() == 1 && this.revoked.contains(authorizations.get(0).replace("Bearer ", ""))) {
			return new MockResponse.Builder().code(401).addHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
				.build();
		}
		return new MockResponse.Builder().code(200).addHeader("Content-Type", "text/plain")
			.body("ok " + request.getUrl().encodedPath())
			.build();
	}

	@Override
	public void close() {
		this.tokenServer.close();
		this.resourceServer.close();
	}

}
