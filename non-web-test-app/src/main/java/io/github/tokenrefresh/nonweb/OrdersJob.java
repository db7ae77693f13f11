package io.github.tokenrefresh.nonweb;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The job's use of the API: the starter's {@code orders} WebClient, autowired as any bean (one client configured,
 * so no qualifier is needed).
 */
@Component
public class OrdersJob {

	private final WebClient orders;

	public OrdersJob(WebClient orders) {
		this.orders = orders;
	}

	public Mono<String> order(String id) {
		return this.orders.get().uri("/{id}", id).retrieve().bodyToMono(String.class);
	}

}
