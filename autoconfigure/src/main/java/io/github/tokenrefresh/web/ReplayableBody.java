package io.github.tokenrefresh.web;

import java.util.concurrent.atomic.AtomicLong;

import org.reactivestreams.Publisher;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequestDecorator;
import org.springframework.web.reactive.function.BodyInserter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Guards the body of a request that may be sent again after a 401. The first send counts the bytes written;
 * a retry collects its body before writing it and refuses to send one of a different size. A one-shot
 * {@code Flux} resubscribed yields nothing or an error, so a retry can never go out with a corrupt body.
 */
final class ReplayableBody {

	private final String clientName;

	private final AtomicLong firstSize = new AtomicLong();

	private volatile boolean streamed;

	ReplayableBody(String clientName) {
		this.clientName = clientName;
	}

	boolean isReplayable() {
		return !this.streamed;
	}

	BodyInserter<?, ? super ClientHttpRequest> recording(BodyInserter<?, ? super ClientHttpRequest> body) {
		return wrap(body, (request) -> new Recording(request));
	}

	BodyInserter<?, ? super ClientHttpRequest> replaying(BodyInserter<?, ? super ClientHttpRequest> body) {
		return wrap(body, (request) -> new Replaying(request));
	}

	@SuppressWarnings("unchecked")
	private static BodyInserter<?, ? super ClientHttpRequest> wrap(BodyInserter<?, ? super ClientHttpRequest> body,
			java.util.function.Function<ClientHttpRequest, ClientHttpRequest> decorator) {
		BodyInserter<Object, ClientHttpRequest> original = (BodyInserter<Object, ClientHttpRequest>) body;
		return (BodyInserter<Object, ClientHttpRequest>) (request, context) -> original
			.insert(decorator.apply(request), context);
	}

	private final class Recording extends ClientHttpRequestDecorator {

		Recording(ClientHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			ReplayableBody.this.firstSize.set(0);
			if (body instanceof Mono<? extends DataBuffer> mono) {
				return super.writeWith(mono.doOnNext(this::count));
			}
			return super.writeWith(Flux.from(body).doOnNext(this::count));
		}

		private void count(DataBuffer buffer) {
			ReplayableBody.this.firstSize.addAndGet(buffer.readableByteCount());
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			ReplayableBody.this.streamed = true;
			return super.writeAndFlushWith(body);
		}

	}

	private final class Replaying extends ClientHttpRequestDecorator {

		Replaying(ClientHttpRequest delegate) {
			super(delegate);
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			long expected = ReplayableBody.this.firstSize.get();
			return DataBufferUtils.join(body)
				.onErrorMap((ex) -> notReplayable("reading the body a second time failed ("
						+ ex.getClass().getSimpleName() + ")"))
				.map(java.util.Optional::of)
				.defaultIfEmpty(java.util.Optional.empty())
				.flatMap((joined) -> {
					long size = joined.map(DataBuffer::readableByteCount).orElse(0);
					if (size != expected) {
						joined.ifPresent(DataBufferUtils::release);
						return Mono.error(notReplayable(
								"the body had " + expected + " bytes the first time and " + size + " the second"));
					}
					return joined.map((buffer) -> super.writeWith(Mono.just(buffer))).orElseGet(super::setComplete);
				});
		}

		@Override
		public Mono<Void> setComplete() {
			long expected = ReplayableBody.this.firstSize.get();
			return (expected == 0) ? super.setComplete()
					: Mono.error(notReplayable("the body was empty the second time"));
		}

		private RequestNotReplayableException notReplayable(String reason) {
			return new RequestNotReplayableException(ReplayableBody.this.clientName, reason);
		}

	}

}
