package io.github.tokenrefresh.event;

import java.time.Duration;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenRefreshListener;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.util.Assert;

/**
 * Publishes a {@link TokenRefreshedEvent} for each token obtained and a {@link TokenRejectedEvent} for each
 * rejection. Events are published on the thread that completed the token call, often a Netty event loop:
 * listeners that do I/O should be {@code @Async} or hand the work to another scheduler.
 */
public final class TokenRefreshEventPublisher implements TokenRefreshListener {

	private final ApplicationEventPublisher publisher;

	public TokenRefreshEventPublisher(ApplicationEventPublisher publisher) {
		Assert.notNull(publisher, "'publisher' must not be null");
		this.publisher = publisher;
	}

	@Override
	public void tokenObtained(String clientName, AcquisitionKind kind, Token token, Duration duration) {
		this.publisher.publishEvent(new TokenRefreshedEvent(clientName, kind, token));
	}

	@Override
	public void acquisitionFailed(String clientName, AcquisitionKind kind, Throwable error, Duration duration) {
		if (error instanceof TokenAcquisitionException acquisition && acquisition.isRejected()) {
			this.publisher.publishEvent(new TokenRejectedEvent(clientName, kind, acquisition));
		}
	}

}
