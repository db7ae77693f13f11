package io.github.tokenrefresh.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.tokenrefresh.core.InMemoryTokenStore;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.MutableClock;
import io.github.tokenrefresh.test.ScriptedTokenSource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies of requests answered 401: sent again when what they are allows it (a multipart body with a new
 * boundary, a resource read again, also after a 401 in the middle of the upload), never buffered beyond the cap.
 */
class ReplayableBodyTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

	private final ScriptedTokenSource source = new ScriptedTokenSource(this.clock);

	private final InMemoryTokenStore store = new InMemoryTokenStore();

	private final TokenManager manager = TokenManager.builder("billing", this.source).store(this.store)
		.clock(this.clock).build();

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final List<String> contentTypes = new CopyOnWriteArrayList<>();

	// Answers 200 with the body to the token "access-1"; 401 to anything else, after reading the whole body, or
	// after half of it under /half.
	private final DisposableServer server = HttpServer.create().host("127.0.0.1").port(0).handle((request, response) -> {
		if (("Bearer access-1").equals(request.requestHeaders().get("Authorization"))) {
			return request.receive().aggregate().asString(StandardCharsets.ISO_8859_1).defaultIfEmpty("").flatMap((body) -> {
				this.received.add(body);
				this.contentTypes.add(String.valueOf(request.requestHeaders().get("Content-Type")));
				return response.status(200).sendString(Mono.just("ok")).then();
			});
		}
		long half = request.requestHeaders().getInt("Content-Length", 0) / 2;
		Mono<Long> read = request.uri().endsWith("/half")
				? request.receive().scan(0L, (n, buffer) -> n + buffer.readableBytes()).filter((n) -> n >= half).next()
				: request.receive().aggregate().map((buffer) -> (long) buffer.readableBytes()).defaultIfEmpty(0L);
		return read.then(response.status(401).header("WWW-Authenticate", "Bearer error=\"invalid_token\"").send());
	}).bindNow();

	private final ConnectionProvider connections = ConnectionProvider.create("replay", 8);

	@AfterEach
	void stop() {
		this.connections.dispose();
		this.server.disposeNow(Duration.ofSeconds(5));
	}

	private WebClient client(long cap) {
		return TokenRefreshExchangeFilterFunctionTests.webClient(this.connections,
				TokenClient.builder(this.manager).baseUrl(url("")).maxReplayBodySize(cap).build());
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.server.port() + "/api" + path;
	}

	private void holdRevokedToken() {
		this.store.put(this.manager.getKey(), Token.builder("revoked").issuedAt(this.clock.instant()).build())
			.block(TIMEOUT);
	}

	@Test
	void multipartWithAFileAndAJsonPartAnsweredUnauthorizedOnceIsRetriedWithBothPartsIntact(@TempDir Path dir)
			throws IOException {
		Path file = Files.writeString(dir.resolve("invoice.txt"), "invoice 42: 3 books\n".repeat(500));
		holdRevokedToken();
		MultipartBodyBuilder parts = new MultipartBodyBuilder();
		parts.part("file", new FileSystemResource(file));
		parts.part("meta", Map.of("invoice", 42, "items", 3), MediaType.APPLICATION_JSON);
		StepVerifier.create(client(1024).post().uri(url("/invoices")).bodyValue(parts.build()).retrieve()
			.bodyToMono(String.class)).expectNext("ok").verifyComplete();
		assertThat(this.received).hasSize(1);
		String body = this.received.get(0);
		String boundary = this.contentTypes.get(0).replaceAll(".*boundary=\"?([^\";]+)\"?.*", "$1");
		assertThat(body).startsWith("--" + boundary)
			.contains("name=\"file\"", "filename=\"invoice.txt\"", "invoice 42: 3 books\n".repeat(500))
			.contains("name=\"meta\"", "\"invoice\":42", "\"items\":3")
			.endsWith("--" + boundary + "--\r\n");
		assertThat(this.source.callCount()).isEqualTo(1);
	}

	@Test
	void publisherBodyOverTheCapIsNotSentAgainNorKeptAndTheTokenIsEvicted() {
		holdRevokedToken();
		AtomicInteger subscriptions = new AtomicInteger();
		AtomicLong emitted = new AtomicLong();
		int chunk = 16 * 1024;
		Flux<DataBuffer> counting = Flux.range(0, 16)
			.<DataBuffer>map((i) -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[chunk]))
			.doOnNext((buffer) -> emitted.addAndGet(buffer.readableByteCount()))
			.doOnSubscribe((subscription) -> subscriptions.incrementAndGet());
		StepVerifier.create(client(64 * 1024).post().uri(url("/uploads")).contentType(MediaType.APPLICATION_OCTET_STREAM)
			.body(counting, DataBuffer.class).retrieve().bodyToMono(String.class))
			.expectError(WebClientResponseException.Unauthorized.class)
			.verify(TIMEOUT);
		assertThat(subscriptions).hasValue(1);
		assertThat(emitted).hasValue(16L * chunk);
		assertThat(this.received).isEmpty();
		assertThat(this.source.callCount()).isZero();
		StepVerifier.create(this.manager.getStoredToken()).verifyComplete();
	}

	@Test
	void publisherBodyUnderTheCapIsSentAgainAsItWasWritten() {
		holdRevokedToken();
		Flux<String> oneShot = Flux.just("{\"item\":", "\"book\"}").publish().autoConnect();
		StepVerifier.create(client(1024).post().uri(url("/orders")).contentType(MediaType.APPLICATION_JSON)
			.body(oneShot, String.class).retrieve().bodyToMono(String.class)).expectNext("ok").verifyComplete();
		assertThat(this.received).containsExactly("{\"item\":\"book\"}");
	}

	@Test
	void unauthorizedAfterTheServerReadHalfTheUploadIsRetried() {
		holdRevokedToken();
		byte[] upload = "0123456789abcdef".repeat(64 * 1024).getBytes(StandardCharsets.ISO_8859_1);
		StepVerifier.create(client(1024).post().uri(url("/half")).contentType(MediaType.APPLICATION_OCTET_STREAM)
			.bodyValue(new ByteArrayResource(upload)).retrieve().bodyToMono(String.class))
			.expectNext("ok")
			.verifyComplete();
		assertThat(this.received).hasSize(1);
		assertThat(this.received.get(0)).hasSize(upload.length)
			.isEqualTo(new String(upload, StandardCharsets.ISO_8859_1));
	}

}
