package io.github.tokenrefresh.autoconfigure;

import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StoreKeys}: what changes a client's identity, and what must not.
 */
class StoreKeysTests {

	@Test
	void whatATokenIsForChangesTheFingerprint() {
		String base = StoreKeys.fingerprint(client((client) -> {
		}));
		assertThat(StoreKeys.fingerprint(client((client) -> client.getParameters().put("audience", "billing-api"))))
			.isNotEqualTo(base);
		assertThat(StoreKeys.fingerprint(client((client) -> client.setIssuerUri("https://sso.example.com"))))
			.isNotEqualTo(base);
		assertThat(StoreKeys.fingerprint(client((client) -> client.setClientId("orders-v2")))).isNotEqualTo(base);
		assertThat(StoreKeys.fingerprint(client((client) -> client.setSubjectClient("user")))).isNotEqualTo(base);
	}

	@Test
	void secretsAndParameterOrderDoNotChangeTheFingerprint() {
		String base = StoreKeys.fingerprint(client((client) -> {
			client.getParameters().put("audience", "orders-api");
			client.getParameters().put("resource", "https://orders.example.com");
		}));
		assertThat(StoreKeys.fingerprint(client((client) -> {
			client.getParameters().put("resource", "https://orders.example.com");
			client.getParameters().put("audience", "orders-api");
			client.setClientSecret("another-secret");
		}))).isEqualTo(base);
	}

	private static Client client(Consumer<Client> customizer) {
		Client client = new Client();
		client.setTokenUri("https://auth.example.com/oauth2/token");
		client.setClientId("orders");
		client.setClientSecret("orders-secret");
		customizer.accept(client);
		return client;
	}

}
