package io.github.tokenrefresh.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Decides whether the body of a request answered 401 can be sent again, by what the body is rather than by its
 * size.
 * <p>
 * A value, a form, a multipart body and a resource are written anew from what they were made of: a multipart
 * body gets a new boundary, a resource is read again, and a 401 that arrived before the upload finished changes
 * nothing. Any other body (a {@code Publisher}, a custom inserter) may be one-shot: a copy of what the first send
 * wrote is kept, up to a cap, and sent again only if the first send wrote all of it. A body written with
 * {@code writeAndFlushWith} (a stream), larger than the cap, or not finished when the 401 arrived is not sent
 * again.
 */
final class ReplayableBody {

	/**
	 * The inserters of {@link BodyInserters#fromValue(Object)} (what {@code bodyValue} uses, multipart bodies
	 * built with {@code MultipartBodyBuilder} included), of its typed variant and of
	 * {@link BodyInserters#fromResource}: lambdas, told apart by their class.
	 */
	private static final Set<Class<?>> REWRITABLE = Set.of(BodyInserters.fromValue(new Object()).getClass(),
			BodyInserters.fromValue(new Object(), new ParameterizedTypeReference<Object>() {
			}).getClass(), BodyInserters.fromResource(new ByteArrayResource(new byte[0])).getClass());

	private final String clientName;

	private final BodyInserter<?, ? super ClientHttpRequest> body;

	private final boolean rewritable;

	private final long cap;

	private volatile @Nullable Copy copy;

	private volatile boolean streamed;

	ReplayableBody(String clientName, BodyInserter<?, ? super ClientHttpRequest> body, long cap) {
		this.clientName = clientName;
		this.body = body;
		this.rewritable = body instanceof BodyInserters.FormInserter<?> || REWRITABLE.contains(body.getClass());
		this.cap = cap;
	}

	boolean isReplayable() {
		if (this.rewritable) {
			return true;
		}
		Copy copy = this.copy;
		return !this.streamed && copy != null && copy.isComplete();
	}

	/**
	 * The body of the first send: written as it is, with a copy kept when it cannot be written anew.
	 */
	BodyInserter<?, ? super ClientHttpRequest> first() {
		return this.rewritable ? this.body : wrap(this.body, Recording::new);
	}

	/**
	 * The body of a retry: written anew, or the copy of the first send.
	 */
	BodyInserter<?, ? super ClientHttpRequest> again() {
		if (this.rewritable) {
			// A value whose first write released it (a DataBuffer) cannot be written again: say so.
			return wrap(this.body, Rewriting::new);
		}
		Copy copy = this.copy;
		if (copy == null || !copy.isComplete()) {
			return (request, context) -> Mono.error(notReplayable("the body was not kept"));
		}
		return (request, context) -> copy.writeTo(request);
	}

	long copiedBytes() {
		Copy copy = this.copy;
		return (copy != null) ? copy.size : 0;
	}

	@SuppressWarnings("unchecked")
	private static BodyInserter<?, ? super ClientHttpRequest> wrap(BodyInserter<?, ? super ClientHttpRequest> body,
			Function<ClientHttpRequest, ClientHttpRequest> decorator) {
		BodyInserter<Object, ClientHttpRequest> original = (BodyInserter<Object, ClientHttpRequest>) body;
		return (BodyInserter<Object, ClientHttpRequest>) (request, context) -> original
			.insert(decorator.apply(request), context);
	}

	private RequestNotReplayableException notReplayable(String reason) {
		return new RequestNotReplayableException(this.clientName, reason);
	}

	/**
	 * What the first send wrote, up to the cap, with the headers its writer set (a content type, a length).
	 */
	private final class Copy {

		private final List<byte[]> chunks = new ArrayList<>();

		private final @Nullable MediaType contentType;

		private final long contentLength;

		private long size;

		private boolean overCap;

		private volatile boolean complete;

		Copy(HttpHeaders headers) {
			this.contentType = headers.getContentType();
			this.contentLength = headers.getContentLength();
		}

		synchronized void add(DataBuffer buffer) {
			if (this.overCap) {
				return;
			}
			int readable = buffer.readableByteCount();
			if (this.size + readable > ReplayableBody.this.cap) {
				// Drop what was kept: a body larger than the cap is not sent again, so keeping half of it buys
				// nothing and holds memory for the length of the upload.
				this.overCap = true;
				this.chunks.clear();
				return;
			}
			byte[] bytes = new byte[readable];
			buffer.toByteBuffer(buffer.readPosition(), java.nio.ByteBuffer.wrap(bytes), 0, readable);
			this.chunks.add(bytes);
			this.size += readable;
		}

		void completed() {
			this.complete = true;
		}

		boolean isComplete() {
			return this.complete && !this.overCap;
		}

		Mono<Void> writeTo(ClientHttpRequest request) {
			HttpHeaders headers = request.getHeaders();
			if (this.contentType != null) {
				headers.setContentType(this.contentType);
			}
			if (this.contentLength >= 0) {
				headers.setContentLength(this.contentLength);
			}
			if (this.size == 0) {
				return request.setComplete();
			}
			List<byte[]> chunks = List.copyOf(this.chunks);
			return request.writeWith(Flux.fromIterable(chunks).map(request.bufferFactory()::wrap));
		}

	}

	private final class Recording extends ClientHttpRequestDecorator {

		Recording(ClientHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			Copy copy = new Copy(getHeaders());
			ReplayableBody.this.copy = copy;
			if (body instanceof Mono<? extends DataBuffer> mono) {
				return super.writeWith(mono.doOnNext(copy::add).doOnSuccess((buffer) -> copy.completed()));
			}
			return super.writeWith(Flux.from(body).doOnNext(copy::add).doOnComplete(copy::completed));
		}

		@Override
		public Mono<Void> setComplete() {
			if (ReplayableBody.this.copy == null) {
				Copy copy = new Copy(getHeaders());
				copy.completed();
				ReplayableBody.this.copy = copy;
			}
			return super.setComplete();
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			ReplayableBody.this.streamed = true;
			return super.writeAndFlushWith(body);
		}

	}

	private final class Rewriting extends ClientHttpRequestDecorator {

		Rewriting(ClientHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return super.writeWith(Flux.from(body)
				.onErrorMap((ex) -> notReplayable("writing the body a second time failed ("
						+ ex.getClass().getSimpleName() + ")")));
		}

	}

}
