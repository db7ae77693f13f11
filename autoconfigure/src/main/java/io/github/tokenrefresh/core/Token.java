package io.github.tokenrefresh.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;

/**
 * An access token with what is known about its lifetime. Immutable; {@link #toString()} never shows a secret.
 *
 * @see #builder(String)
 */
public final class Token {

	private static final String DEFAULT_TYPE = "Bearer";

	private final String accessToken;

	private final String tokenType;

	private final Instant issuedAt;

	private final @Nullable Instant expiresAt;

	private final @Nullable String refreshToken;

	private final @Nullable Instant refreshTokenExpiresAt;

	private final Set<String> scopes;

	private Token(Builder builder) {
		this.accessToken = builder.accessToken;
		this.tokenType = (builder.tokenType != null) ? builder.tokenType : DEFAULT_TYPE;
		this.issuedAt = (builder.issuedAt != null) ? builder.issuedAt : Instant.now();
		this.expiresAt = expiresAt(builder, this.issuedAt);
		this.refreshToken = builder.refreshToken;
		this.refreshTokenExpiresAt = (builder.refreshTokenExpiresIn != null)
				? this.issuedAt.plus(builder.refreshTokenExpiresIn) : builder.refreshTokenExpiresAt;
		this.scopes = Collections.unmodifiableSet(new LinkedHashSet<>(builder.scopes));
	}

	private static @Nullable Instant expiresAt(Builder builder, Instant issuedAt) {
		if (builder.expiresIn != null) {
			return issuedAt.plus(builder.expiresIn);
		}
		if (builder.expiresAt != null) {
			return builder.expiresAt;
		}
		// No expires_in (RFC 6749 §5.1 makes it optional): a JWT still tells its own expiry.
		return JwtExpiry.read(builder.accessToken);
	}

	/**
	 * Start a token with the given access token value.
	 * @param accessToken the access token value
	 * @return a builder
	 */
	public static Builder builder(String accessToken) {
		return new Builder(accessToken);
	}

	/**
	 * Start a builder holding every value of this token.
	 * @return a builder
	 */
	public Builder mutate() {
		return new Builder(this.accessToken).tokenType(this.tokenType)
			.issuedAt(this.issuedAt)
			.expiresAt(this.expiresAt)
			.refreshToken(this.refreshToken)
			.refreshTokenExpiresAt(this.refreshTokenExpiresAt)
			.scopes(this.scopes);
	}

	/**
	 * Return the access token value. A secret: never log it.
	 * @return the access token value
	 */
	public String getAccessToken() {
		return this.accessToken;
	}

	/**
	 * Return the token type, {@code Bearer} unless the token endpoint said otherwise.
	 * @return the token type
	 */
	public String getTokenType() {
		return this.tokenType;
	}

	/**
	 * Return when this token was received, by the local clock.
	 * @return the issue time
	 */
	public Instant getIssuedAt() {
		return this.issuedAt;
	}

	/**
	 * Return when this token expires, or {@code null} when that is unknown.
	 * @return the expiry, or {@code null}
	 */
	public @Nullable Instant getExpiresAt() {
		return this.expiresAt;
	}

	/**
	 * Return the refresh token issued with this token, if any. A secret: never log it.
	 * @return the refresh token, or {@code null}
	 */
	public @Nullable String getRefreshToken() {
		return this.refreshToken;
	}

	/**
	 * Return when the refresh token expires, or {@code null} when that is unknown.
	 * @return the refresh token expiry, or {@code null}
	 */
	public @Nullable Instant getRefreshTokenExpiresAt() {
		return this.refreshTokenExpiresAt;
	}

	/**
	 * Return the granted scopes.
	 * @return the scopes, possibly empty
	 */
	public Set<String> getScopes() {
		return this.scopes;
	}

	/**
	 * Return the lifetime from issue to expiry, or {@code null} when the expiry is unknown.
	 * @return the lifetime, or {@code null}
	 */
	public @Nullable Duration getLifetime() {
		return (this.expiresAt != null) ? Duration.between(this.issuedAt, this.expiresAt) : null;
	}

	/**
	 * Return whether this token has expired at the given instant.
	 * @param now the instant to check
	 * @return whether the token is expired
	 */
	public boolean isExpired(Instant now) {
		return this.expiresAt != null && !now.isBefore(this.expiresAt);
	}

	/**
	 * Return whether the given token carries the same access token value as this one.
	 * @param other the other token, may be {@code null}
	 * @return whether the access token values are equal
	 */
	public boolean hasSameAccessToken(@Nullable Token other) {
		return other != null && this.accessToken.equals(other.accessToken);
	}

	@Override
	public boolean equals(@Nullable Object obj) {
		if (this == obj) {
			return true;
		}
		if (!(obj instanceof Token other)) {
			return false;
		}
		return this.accessToken.equals(other.accessToken) && this.tokenType.equals(other.tokenType)
				&& this.issuedAt.equals(other.issuedAt) && java.util.Objects.equals(this.expiresAt, other.expiresAt)
				&& java.util.Objects.equals(this.refreshToken, other.refreshToken);
	}

	@Override
	public int hashCode() {
		return this.accessToken.hashCode();
	}

	@Override
	public String toString() {
		return "Token[type=" + this.tokenType + ", accessToken=" + Secrets.mask(this.accessToken) + ", issuedAt="
				+ this.issuedAt + ", expiresAt=" + this.expiresAt + ", refreshToken="
				+ ((this.refreshToken != null) ? "[PROTECTED]" : "none") + ", scopes=" + this.scopes + "]";
	}

	/**
	 * Builds a {@link Token}.
	 */
	public static final class Builder {

		private final String accessToken;

		private @Nullable String tokenType;

		private @Nullable Instant issuedAt;

		private @Nullable Duration expiresIn;

		private @Nullable Instant expiresAt;

		private @Nullable String refreshToken;

		private @Nullable Duration refreshTokenExpiresIn;

		private @Nullable Instant refreshTokenExpiresAt;

		private Set<String> scopes = Set.of();

		private Builder(String accessToken) {
			Assert.hasText(accessToken, "'accessToken' must not be empty");
			this.accessToken = accessToken;
		}

		public Builder tokenType(@Nullable String tokenType) {
			this.tokenType = tokenType;
			return this;
		}

		public Builder issuedAt(@Nullable Instant issuedAt) {
			this.issuedAt = issuedAt;
			return this;
		}

		/**
		 * Set the lifetime counted from {@link #issuedAt(Instant)}; takes precedence over {@link #expiresAt}.
		 * @param expiresIn the lifetime, or {@code null}
		 * @return this builder
		 */
		public Builder expiresIn(@Nullable Duration expiresIn) {
			Assert.isTrue(expiresIn == null || !expiresIn.isNegative(), "'expiresIn' must not be negative");
			this.expiresIn = expiresIn;
			return this;
		}

		public Builder expiresAt(@Nullable Instant expiresAt) {
			this.expiresAt = expiresAt;
			return this;
		}

		public Builder refreshToken(@Nullable String refreshToken) {
			this.refreshToken = (refreshToken != null && !refreshToken.isEmpty()) ? refreshToken : null;
			return this;
		}

		public Builder refreshTokenExpiresIn(@Nullable Duration refreshTokenExpiresIn) {
			this.refreshTokenExpiresIn = refreshTokenExpiresIn;
			return this;
		}

		public Builder refreshTokenExpiresAt(@Nullable Instant refreshTokenExpiresAt) {
			this.refreshTokenExpiresAt = refreshTokenExpiresAt;
			return this;
		}

		public Builder scopes(@Nullable Collection<String> scopes) {
			this.scopes = (scopes != null) ? new LinkedHashSet<>(scopes) : Set.of();
			return this;
		}

		public Token build() {
			return new Token(this);
		}

		@Override
		public String toString() {
			return "Token.Builder[accessToken=" + Secrets.mask(this.accessToken) + "]";
		}

	}

}
