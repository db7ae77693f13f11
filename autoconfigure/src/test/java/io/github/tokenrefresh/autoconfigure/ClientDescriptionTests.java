package io.github.tokenrefresh.autoconfigure;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClientDescription}, as {@link TokenRefreshPropertiesValidator#describe} builds it.
 */
class ClientDescriptionTests {

	@Test
	void describesSourceGrantAuthenticationAndIdentityWithoutSecrets() {
		TokenRefreshProperties properties = new TokenRefreshProperties();
		Client client = new Client();
		client.setIssuerUri("https://auth.example.com/realms/main");
		client.setClientId("orders-app");
		client.setClientSecret("s3cr3t-value-of-more-than-thirty-two-bytes");
		client.setClientAuthenticationMethod("client_secret_jwt");
		client.setGrantType("password");
		client.setUsername("svc");
		client.setPassword("pa55word-value");
		client.setScope(Set.of("orders.read"));
		client.getParameters().put("audience", "orders-api");
		properties.getClients().put("orders", client);
		ClientDescription description = TokenRefreshPropertiesValidator.describe(properties).get("orders");
		assertThat(description.source()).isEqualTo(ClientDescription.Source.ISSUER_URI);
		assertThat(description.grantType()).isEqualTo(GrantType.PASSWORD);
		assertThat(description.authentication()).isEqualTo(ClientAuthentication.CLIENT_SECRET_JWT);
		assertThat(description.identity()).isEqualTo(new ClientDescription.Identity(
				"https://auth.example.com/realms/main", "orders-app", "password", Set.of("orders.read"),
				Map.of("audience", "orders-api")));
		assertThat(description.toString()).contains("orders", "orders-app")
			.doesNotContain("s3cr3t-value", "pa55word-value");
	}

	@Test
	void laterChangesToTheBoundPropertiesDoNotChangeTheDescription() {
		TokenRefreshProperties properties = new TokenRefreshProperties();
		Client client = new Client();
		client.setTokenUri("https://auth.example.com/oauth2/token");
		client.setClientId("orders-app");
		client.getParameters().put("audience", "orders-api");
		properties.getClients().put("orders", client);
		ClientDescription description = TokenRefreshPropertiesValidator.describe(properties).get("orders");
		client.setClientId("someone-else");
		client.getParameters().put("resource", "https://elsewhere.example.com");
		client.getScope().add("admin");
		assertThat(description.clientId()).isEqualTo("orders-app");
		assertThat(description.parameters()).containsOnlyKeys("audience");
		assertThat(description.scopes()).isEmpty();
		assertThat(description.source()).isEqualTo(ClientDescription.Source.TOKEN_URI);
		assertThat(description.grantType()).isEqualTo(GrantType.CLIENT_CREDENTIALS);
	}

}
