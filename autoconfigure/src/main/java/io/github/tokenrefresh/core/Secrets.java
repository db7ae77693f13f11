package io.github.tokenrefresh.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

	/**
	 * Return a fingerprint of a secret: the first 8 bytes of its SHA-256 in hex, enough to tell two tokens apart
	 * and to correlate log lines, never enough to recover one.
	 * @param secret the secret
	 * @return the fingerprint
	 */
	public static String fingerprint(String secret) {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest, 0, 8);
		}
		catch (NoSuchAlgorithmException ex) {
			// Every Java platform must provide SHA-256.
			throw new IllegalStateException(ex);
		}
	}

}
