package io.github.tokenrefresh.event;

import io.github.tokenrefresh.core.TokenAcquisitionException;
import io.github.tokenrefresh.core.TokenRefreshListener.AcquisitionKind;
import org.springframework.context.ApplicationEvent;

/**
 * Published when a token endpoint rejected a client's credentials or refresh token: a person may have to act
 * (an account disabled, a password changed, a refresh token revoked).
 */
public class TokenRejectedEvent extends ApplicationEvent {

	private final AcquisitionKind kind;

	private final TokenAcquisitionException exception;

	public TokenRejectedEvent(String clientName, AcquisitionKind kind, TokenAcquisitionException exception) {
		super(clientName);
		this.kind = kind;
		this.exception = exception;
	}

	public String getClientName() {
		return (String) getSource();
	}

	public AcquisitionKind getKind() {
		return this.kind;
	}

	/**
	 * Return the rejection, with the endpoint, HTTP status and OAuth 2.0 error; never a secret.
	 * @return the exception
	 */
	public TokenAcquisitionException getException() {
		return this.exception;
	}

}
