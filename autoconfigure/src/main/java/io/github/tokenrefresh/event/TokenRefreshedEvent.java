package io.github.tokenrefresh.event;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import org.springframework.context.ApplicationEvent;

/**
 * Published when a client obtained a new token. The token's {@code toString()} masks it; read
 * {@link Token#getAccessToken()} only to hand it to something that must persist it.
 */
public class TokenRefreshedEvent extends ApplicationEvent {

	private final AcquisitionKind kind;

	private final transient Token token;

	public TokenRefreshedEvent(String clientName, AcquisitionKind kind, Token token) {
		super(clientName);
		this.kind = kind;
		this.token = token;
	}

	public String getClientName() {
		return (String) getSource();
	}

	public AcquisitionKind getKind() {
		return this.kind;
	}

	public Token getToken() {
		return this.token;
	}

	public @Nullable Instant getExpiresAt() {
		return this.token.getExpiresAt();
	}

}
