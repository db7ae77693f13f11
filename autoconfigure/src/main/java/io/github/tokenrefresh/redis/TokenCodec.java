package io.github.tokenrefresh.redis;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.github.tokenrefresh.core.Token;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns tokens into the versioned JSON values kept in Redis and back, optionally encrypting the token with
 * AES-GCM. The envelope keeps in the clear only what the Lua scripts compare: the issue time and a SHA-256
 * fingerprint of the access token, so that no script ever needs the key and no raw token is ever compared.
 */
final class TokenCodec {

	static final int VERSION = 1;

	static final int KEY_BYTES = 32;

	private static final String ALGORITHM = "A256GCM";

	private static final int IV_BYTES = 12;

	private static final int TAG_BITS = 128;

	private final JsonMapper mapper = JsonMapper.builder().build();

	private final SecureRandom random = random();

	// The first encrypts; every one decrypts (a rolling key rotation), each found by its key id.
	private final List<Key> keys;

	private final @Nullable SecretKey key;

	TokenCodec(byte @Nullable [] encryptionKey) {
		this((encryptionKey != null) ? List.of(encryptionKey) : List.of());
	}

	TokenCodec(List<byte[]> encryptionKeys) {
		List<Key> keys = new ArrayList<>();
		for (byte[] encryptionKey : encryptionKeys) {
			if (encryptionKey.length != KEY_BYTES) {
				throw new IllegalArgumentException("'encryptionKey' must be 256 bits (" + KEY_BYTES + " bytes)");
			}
			keys.add(new Key(keyId(encryptionKey), new SecretKeySpec(encryptionKey.clone(), "AES")));
		}
		this.keys = List.copyOf(keys);
		this.key = keys.isEmpty() ? null : keys.get(0).secret();
		// Load the providers now, at startup, rather than on the first request's event loop.
		fingerprint(Token.builder("warm-up").build());
		if (this.key != null) {
			encrypt(new byte[0], "warm-up");
		}
	}

	/**
	 * The id of a key stored in the clear with each value it encrypts: 8 hex digits of a SHA-256 over a fixed label
	 * and the key, which tells the keys apart without revealing anything usable about them.
	 */
	private static String keyId(byte[] key) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			digest.update("token-refresh key id".getBytes(StandardCharsets.UTF_8));
			return HexFormat.of().formatHex(digest.digest(key), 0, 4);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	/**
	 * A DRBG seeded once, here: the default generator reads {@code /dev/urandom} on every call, a blocking read
	 * on an event loop.
	 */
	private static SecureRandom random() {
		SecureRandom random;
		try {
			random = SecureRandom.getInstance("DRBG");
		}
		catch (NoSuchAlgorithmException ex) {
			random = new SecureRandom();
		}
		random.nextBytes(new byte[IV_BYTES]);
		return random;
	}

	boolean isEncrypting() {
		return this.key != null;
	}

	String encode(String redisKey, Token token) {
		ObjectNode envelope = this.mapper.createObjectNode();
		envelope.put("v", VERSION);
		envelope.put("fp", fingerprint(token));
		envelope.put("iat", token.getIssuedAt().toEpochMilli());
		if (token.getExpiresAt() != null) {
			// In the clear, like iat: an instance that cannot decrypt the value still knows it is not expired.
			envelope.put("exp", token.getExpiresAt().toEpochMilli());
		}
		ObjectNode body = body(token);
		if (this.key == null) {
			envelope.set("token", body);
		}
		else {
			envelope.put("enc", ALGORITHM);
			envelope.put("kid", this.keys.get(0).id());
			envelope.put("data", encrypt(this.mapper.writeValueAsBytes(body), redisKey));
		}
		return this.mapper.writeValueAsString(envelope);
	}

	/**
	 * Read a stored value.
	 * @param redisKey the key the value was read from, bound into the ciphertext
	 * @param value the stored value
	 * @return the token
	 * @throws UnreadableValueException when the value is not one this version can read; its message holds no
	 * part of the value
	 */
	Token decode(String redisKey, String value) {
		JsonNode envelope = readTree(value);
		if (envelope.path("v").asInt(-1) != VERSION) {
			throw new UnreadableValueException("it is not a version " + VERSION + " token value", envelope);
		}
		JsonNode body;
		if (envelope.has("enc")) {
			if (this.key == null) {
				throw new UnreadableValueException("it is encrypted and no encryption key is configured", envelope);
			}
			body = readTree(decrypt(envelope, redisKey));
		}
		else {
			body = envelope.path("token");
		}
		return token(body);
	}

	/**
	 * Return whether a value this codec can read is encrypted with another key than the one it encrypts with (an
	 * older key during a rotation), so that it is worth writing again under the current key.
	 */
	boolean isEncryptedWithAnOlderKey(String value) {
		if (this.keys.isEmpty()) {
			return false;
		}
		try {
			JsonNode envelope = this.mapper.readTree(value);
			return envelope.has("enc") && !this.keys.get(0).id().equals(envelope.path("kid").asString(""));
		}
		catch (JacksonException ex) {
			return false;
		}
	}

	private ObjectNode body(Token token) {
		ObjectNode body = this.mapper.createObjectNode();
		body.put("access_token", token.getAccessToken());
		body.put("token_type", token.getTokenType());
		body.put("issued_at", token.getIssuedAt().toString());
		putInstant(body, "expires_at", token.getExpiresAt());
		if (token.getRefreshToken() != null) {
			body.put("refresh_token", token.getRefreshToken());
		}
		putInstant(body, "refresh_token_expires_at", token.getRefreshTokenExpiresAt());
		ArrayNode scopes = body.putArray("scope");
		token.getScopes().forEach(scopes::add);
		return body;
	}

	private static void putInstant(ObjectNode node, String field, @Nullable Instant instant) {
		if (instant != null) {
			node.put(field, instant.toString());
		}
	}

	private static Token token(JsonNode body) {
		String accessToken = body.path("access_token").asString("");
		if (accessToken.isEmpty()) {
			throw new UnreadableValueException("it holds no access token");
		}
		List<String> scopes = new ArrayList<>();
		body.path("scope").forEach((scope) -> scopes.add(scope.asString()));
		try {
			return Token.builder(accessToken)
				.tokenType(text(body, "token_type"))
				.issuedAt(instant(body, "issued_at"))
				.expiresAt(instant(body, "expires_at"))
				.refreshToken(text(body, "refresh_token"))
				.refreshTokenExpiresAt(instant(body, "refresh_token_expires_at"))
				.scopes(scopes)
				.build();
		}
		catch (RuntimeException ex) {
			throw new UnreadableValueException("its fields are malformed");
		}
	}

	private static @Nullable String text(JsonNode node, String field) {
		JsonNode value = node.path(field);
		return value.isString() ? value.asString() : null;
	}

	private static @Nullable Instant instant(JsonNode node, String field) {
		String text = text(node, field);
		return (text != null) ? Instant.parse(text) : null;
	}

	private JsonNode readTree(String json) {
		try {
			return this.mapper.readTree(json);
		}
		catch (JacksonException ex) {
			// Jackson's message quotes the input, which may be a token: never pass it on.
			throw new UnreadableValueException("it is not JSON");
		}
	}

	private String encrypt(byte[] plaintext, String redisKey) {
		byte[] iv = new byte[IV_BYTES];
		this.random.nextBytes(iv);
		try {
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.ENCRYPT_MODE, this.key, new GCMParameterSpec(TAG_BITS, iv));
			// The key is authenticated data: a value copied under another client's key does not decrypt.
			cipher.updateAAD(redisKey.getBytes(StandardCharsets.UTF_8));
			byte[] ciphertext = cipher.doFinal(plaintext);
			byte[] combined = new byte[IV_BYTES + ciphertext.length];
			System.arraycopy(iv, 0, combined, 0, IV_BYTES);
			System.arraycopy(ciphertext, 0, combined, IV_BYTES, ciphertext.length);
			return Base64.getEncoder().encodeToString(combined);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("AES-GCM encryption is not available", ex);
		}
	}

	private String decrypt(JsonNode envelope, String redisKey) {
		String data = envelope.path("data").asString("");
		String keyId = envelope.path("kid").asString("");
		// Values written before key ids existed carry none: try every key.
		List<Key> candidates = this.keys.stream().filter((key) -> keyId.isEmpty() || key.id().equals(keyId)).toList();
		if (candidates.isEmpty()) {
			throw new UnreadableValueException("it is encrypted with a key this instance does not have (key id "
					+ keyId + "); add that key to token-refresh.store.redis.encryption-keys", envelope);
		}
		for (Key candidate : candidates) {
			try {
				return decrypt(data, redisKey, candidate.secret());
			}
			catch (UnreadableValueException ex) {
				// another candidate may fit
			}
		}
		throw new UnreadableValueException("it cannot be decrypted with the configured encryption keys", envelope);
	}

	private String decrypt(String data, String redisKey, SecretKey secret) {
		try {
			byte[] combined = Base64.getDecoder().decode(data);
			if (combined.length <= IV_BYTES) {
				throw new UnreadableValueException("its ciphertext is truncated");
			}
			Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
			cipher.init(Cipher.DECRYPT_MODE, secret, new GCMParameterSpec(TAG_BITS, combined, 0, IV_BYTES));
			cipher.updateAAD(redisKey.getBytes(StandardCharsets.UTF_8));
			byte[] plaintext = cipher.doFinal(combined, IV_BYTES, combined.length - IV_BYTES);
			return new String(plaintext, StandardCharsets.UTF_8);
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			throw new UnreadableValueException("it cannot be decrypted with the configured encryption key");
		}
	}

	/**
	 * Return a SHA-256 fingerprint of the token's access token: what the Lua scripts compare instead of the
	 * token itself.
	 * @param token the token
	 * @return the hex fingerprint
	 */
	static String fingerprint(Token token) {
		try {
			MessageDigest digest = MessageDigest.getInstance("SHA-256");
			return HexFormat.of().formatHex(digest.digest(token.getAccessToken().getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is not available", ex);
		}
	}

	String putEvent(String fingerprint, Token token) {
		ObjectNode event = event("put");
		event.put("fp", fingerprint);
		event.put("iat", token.getIssuedAt().toEpochMilli());
		return this.mapper.writeValueAsString(event);
	}

	String removeEvent(@Nullable String fingerprint) {
		ObjectNode event = event("remove");
		if (fingerprint != null) {
			event.put("fp", fingerprint);
		}
		return this.mapper.writeValueAsString(event);
	}

	String releasedEvent() {
		return this.mapper.writeValueAsString(event("released"));
	}

	private ObjectNode event(String type) {
		ObjectNode event = this.mapper.createObjectNode();
		event.put("v", VERSION);
		event.put("type", type);
		return event;
	}

	@Nullable Event readEvent(String message) {
		try {
			JsonNode event = this.mapper.readTree(message);
			String type = event.path("type").asString("");
			return type.isEmpty() ? null : new Event(type, text(event, "fp"));
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * A notification sent on a key's channel by whichever instance changed the key or released its lease.
	 * @param type {@code put}, {@code remove} or {@code released}
	 * @param fingerprint the fingerprint of the access token concerned, if any
	 */
	record Event(String type, @Nullable String fingerprint) {
	}

	/**
	 * A stored value this version cannot read. The message never contains any part of the value.
	 */
	static final class UnreadableValueException extends RuntimeException {

		private final @Nullable String fingerprint;

		private final @Nullable Instant expiresAt;

		UnreadableValueException(String reason) {
			super(reason, null, false, false);
			this.fingerprint = null;
			this.expiresAt = null;
		}

		UnreadableValueException(String reason, JsonNode envelope) {
			super(reason, null, false, false);
			JsonNode fingerprint = envelope.path("fp");
			this.fingerprint = fingerprint.isString() ? fingerprint.asString() : null;
			JsonNode expiresAt = envelope.path("exp");
			this.expiresAt = expiresAt.isNumber() ? Instant.ofEpochMilli(expiresAt.asLong()) : null;
		}

		/**
		 * Return the fingerprint the unreadable value carries in the clear, if any.
		 */
		@Nullable String fingerprint() {
			return this.fingerprint;
		}

		/**
		 * Return the expiry the unreadable value carries in the clear, if any.
		 */
		@Nullable Instant expiresAt() {
			return this.expiresAt;
		}

	}

	private record Key(String id, SecretKey secret) {
	}

}
