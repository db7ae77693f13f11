package io.github.tokenrefresh.core;

import org.jspecify.annotations.Nullable;

/**
 * Masks secrets for logs and messages.
 */
public final class Secrets {

	private static final int SHOWN = 4;

	private Secrets() {
	}

	/**
	 * Mask a secret so that at most a short prefix of a long value shows, enough to tell two tokens apart in a
	 * debug log and never enough to use one.
	 * @param secret the secret, may be {@code null}
	 * @return the masked value
	 */
	public static String mask(@Nullable String secret) {
		if (secret == null) {
			return "none";
		}
		if (secret.length() < 24) {
			return "[PROTECTED]";
		}
		return secret.substring(0, SHOWN) + "…[PROTECTED]";
	}

}
