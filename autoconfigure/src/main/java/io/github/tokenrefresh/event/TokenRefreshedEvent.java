package io.github.tokenrefresh.event;

import java.time.Instant;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.Secrets;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import org.springframework.context.ApplicationEvent;

/**
 * Published when a client obtained a new token. Carries a view of the token without its secrets: event
 * publication registries and audit listeners serialise events through their getters, so neither the access nor
 * the refresh token is reachable from here. A listener that needs the token itself asks the client's
 * {@code TokenManager} (the bean {@code <name>TokenManager}) with {@code getStoredToken()}.
 */
public class TokenRefreshedEvent extends ApplicationEvent {

	private final AcquisitionKind kind;

	private final String tokenType;

	private final String fingerprint;

	private final Instant issuedAt;

	private final @Nullable Instant expiresAt;

	private final Set<String> scopes;

	private final boolean refreshTokenIssued;

	public TokenRefreshedEvent(String clientName, AcquisitionKind kind, Token token) {
		super(clientName);
		this.kind = kind;
		this.tokenType = token.getTokenType();
		this.fingerprint = Secrets.fingerprint(token.getAccessToken());
		this.issuedAt = token.getIssuedAt();
		this.expiresAt = token.getExpiresAt();
		this.scopes = token.getScopes();
		this.refreshTokenIssued = token.getRefreshToken() != null;
	}

	public String getClientName() {
		return (String) getSource();
	}

	public AcquisitionKind getKind() {
		return this.kind;
	}

	public String getTokenType() {
		return this.tokenType;
	}

	/**
	 * Return a fingerprint of the access token ({@link Secrets#fingerprint(String)}), to tell tokens apart.
	 * @return the fingerprint
	 */
	public String getFingerprint() {
		return this.fingerprint;
	}

	public Instant getIssuedAt() {
		return this.issuedAt;
	}

	public @Nullable Instant getExpiresAt() {
		return this.expiresAt;
	}

	public Set<String> getScopes() {
		return this.scopes;
	}

	/**
	 * Return whether the token came with a refresh token (which this event does not carry).
	 * @return whether a refresh token was issued
	 */
	public boolean isRefreshTokenIssued() {
		return this.refreshTokenIssued;
	}

	@Override
	public String toString() {
		return "TokenRefreshedEvent[client=" + getClientName() + ", kind=" + this.kind + ", fingerprint="
				+ this.fingerprint + ", expiresAt=" + this.expiresAt + ", scopes=" + this.scopes + "]";
	}

}
