package io.github.tokenrefresh.actuate;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.core.TokenRefreshException;
import io.github.tokenrefresh.core.TokenStatus;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.util.Assert;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code tokens} actuator endpoint: what each client holds and did ({@code GET}), a forced refresh
 * ({@code POST /actuator/tokens/{client}}) and an eviction ({@code DELETE /actuator/tokens/{client}}). It shows
 * no token, secret or password.
 */
@Endpoint(id = "tokens")
public final class TokensEndpoint {

	private final Map<String, TokenManager> managers;

	private final String storeType;

	private final Clock clock;

	public TokensEndpoint(Collection<TokenManager> managers, String storeType, Clock clock) {
		Assert.notNull(managers, "'managers' must not be null");
		Assert.notNull(storeType, "'storeType' must not be null");
		Assert.notNull(clock, "'clock' must not be null");
		Map<String, TokenManager> byName = new LinkedHashMap<>();
		managers.forEach((manager) -> byName.put(manager.getClientName(), manager));
		this.managers = byName;
		this.storeType = storeType;
		this.clock = clock;
	}

	@ReadOperation
	public Mono<TokensDescriptor> tokens() {
		return Flux.fromIterable(this.managers.values())
			.concatMap(this::describe)
			.collectMap(ClientDescriptor::name, (descriptor) -> descriptor, LinkedHashMap::new)
			.map(TokensDescriptor::new);
	}

	@ReadOperation
	public Mono<ClientDescriptor> client(@Selector String client) {
		TokenManager manager = this.managers.get(client);
		return (manager != null) ? describe(manager) : Mono.empty();
	}

	/**
	 * Obtain a new token for the client now. A failure shows in the answer's {@code lastError}.
	 * @param client the client name
	 * @return the client after the refresh; an unknown client is a bad request
	 */
	@WriteOperation
	public Mono<ClientDescriptor> refresh(@Selector String client) {
		TokenManager manager = this.managers.get(client);
		if (manager == null) {
			return unknown(client);
		}
		return manager.refresh()
			.then()
			.onErrorResume(TokenRefreshException.class, (ex) -> Mono.empty())
			.then(Mono.defer(() -> describe(manager)));
	}

	/**
	 * Remove the client's stored token, so that the next request obtains a new one.
	 * @param client the client name
	 * @return the client after the eviction; an unknown client is a bad request
	 */
	@DeleteOperation
	public Mono<ClientDescriptor> evict(@Selector String client) {
		TokenManager manager = this.managers.get(client);
		return (manager != null) ? manager.evict().then(Mono.defer(() -> describe(manager))) : unknown(client);
	}

	private Mono<ClientDescriptor> unknown(String client) {
		return Mono.error(new InvalidEndpointRequestException(
				"No client named '" + client + "'; clients are " + this.managers.keySet(), "Unknown client"));
	}

	private Mono<ClientDescriptor> describe(TokenManager manager) {
		return manager.getStoredToken()
			.map((token) -> describe(manager, token))
			.defaultIfEmpty(describe(manager, null));
	}

	private ClientDescriptor describe(TokenManager manager, @Nullable Token token) {
		TokenStatus status = manager.getStatus();
		Instant expiresAt = (token != null) ? token.getExpiresAt() : null;
		Long secondsLeft = (expiresAt != null) ? Duration.between(this.clock.instant(), expiresAt).toSeconds() : null;
		LastError lastError = (status.lastOutcome() != null && status.lastOutcome() != TokenStatus.Outcome.SUCCESS)
				? new LastError(status.lastErrorStatus(), status.lastErrorCode(), status.lastErrorMessage()) : null;
		return new ClientDescriptor(manager.getClientName(), this.storeType, manager.isAutoRefresh(), token != null,
				expiresAt, secondsLeft, token != null && token.getRefreshToken() != null, status.lastAttemptAt(),
				(status.lastOutcome() != null) ? status.lastOutcome().tagValue() : null, status.lastSuccessAt(),
				status.refreshCount(), lastError);
	}

	/**
	 * Every client, by name.
	 *
	 * @param clients the clients
	 */
	public record TokensDescriptor(Map<String, ClientDescriptor> clients) implements OperationResponseBody {
	}

	/**
	 * One client's token state; never the token itself.
	 *
	 * @param name the client name
	 * @param storeType where tokens are stored
	 * @param autoRefresh whether the client refreshes on its own
	 * @param tokenHeld whether a token is stored
	 * @param expiresAt when the stored token expires, {@code null} when unknown or none
	 * @param secondsLeft seconds until then, negative once expired
	 * @param refreshTokenHeld whether the stored token came with a refresh token
	 * @param lastRefreshAt when a token was last asked for
	 * @param lastOutcome how that ended: {@code success}, {@code rejected} or {@code error}
	 * @param lastSuccessAt when a token was last obtained
	 * @param refreshCount how many tokens this instance obtained
	 * @param lastError the last failure, while it is the last outcome
	 */
	public record ClientDescriptor(String name, String storeType, boolean autoRefresh, boolean tokenHeld,
			@Nullable Instant expiresAt, @Nullable Long secondsLeft, boolean refreshTokenHeld,
			@Nullable Instant lastRefreshAt, @Nullable String lastOutcome, @Nullable Instant lastSuccessAt,
			long refreshCount, @Nullable LastError lastError) implements OperationResponseBody {
	}

	/**
	 * The last failure of a client's token calls.
	 *
	 * @param status the token endpoint's HTTP status
	 * @param errorCode the OAuth 2.0 error code
	 * @param message what went wrong, without any secret
	 */
	public record LastError(@Nullable Integer status, @Nullable String errorCode, @Nullable String message) {
	}

}
