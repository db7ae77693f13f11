package io.github.tokenrefresh.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports invalid token-refresh configuration at startup with the property and the fix.
 */
class TokenRefreshFailureAnalyzer extends AbstractFailureAnalyzer<InvalidTokenRefreshConfigurationException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidTokenRefreshConfigurationException cause) {
		return new FailureAnalysis("Invalid token-refresh configuration: " + cause.getMessage(), cause.getAction(),
				cause);
	}

}
