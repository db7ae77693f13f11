package io.github.tokenrefresh.web;

import java.util.List;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code WWW-Authenticate} challenges of a 401: one that says {@code insufficient_scope} (RFC 6750
 * §3.1) is answered by a token with more scopes, not by a newer one, so it is never retried.
 */
final class BearerChallenge {

	private static final Pattern INSUFFICIENT_SCOPE = Pattern.compile("error\\s*=\\s*\"?insufficient_scope\\b",
			Pattern.CASE_INSENSITIVE);

	private BearerChallenge() {
	}

	static boolean isInsufficientScope(@Nullable List<String> challenges) {
		if (challenges == null) {
			return false;
		}
		for (String challenge : challenges) {
			if (INSUFFICIENT_SCOPE.matcher(challenge).find()) {
				return true;
			}
		}
		return false;
	}

}
