package io.github.tokenrefresh.idp;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.DebugLogging;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * private_key_jwt and client_secret_jwt (RFC 7523 §2.2) and extra token request parameters, against a real Spring
 * Authorization Server that verifies the assertions with the clients' JWK Sets and refuses a replayed one.
 */
@ExtendWith({ OutputCaptureExtension.class, DebugLogging.class })
class ClientAssertionTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static MockWebServer jwks;

	private static MockWebServer unkeyed;

	private static AuthorizationServer server;

	@BeforeAll
	static void startServers() throws Exception {
		jwks = Clients.jwkSet(Clients.publicJwk("rsa", "rsa-key-1"), Clients.publicJwk("ec", "ec-key-1"));
		unkeyed = Clients.jwkSet(Clients.publicJwk("rsa", null), Clients.publicJwk("ec", null));
		server = AuthorizationServer.start(
				Clients.privateKeyJwt("rsa-client", jwks.url("/rsa").toString(), SignatureAlgorithm.RS256),
				Clients.privateKeyJwt("rsa-unkeyed", unkeyed.url("/rsa").toString(), SignatureAlgorithm.RS256),
				Clients.privateKeyJwt("ec-client", jwks.url("/ec").toString(), SignatureAlgorithm.ES256),
				Clients.privateKeyJwt("ec-unkeyed", unkeyed.url("/ec").toString(), SignatureAlgorithm.ES256),
				Clients.secretJwt("secret-jwt-client"), Clients.secretBasic("audience-client"));
	}

	@AfterAll
	static void stopServers() throws Exception {
		server.close();
		jwks.close();
		unkeyed.close();
	}

	@Test
	void rsaKeyWithKeyIdSignsAnAssertionTheServerAccepts(CapturedOutput output) throws Exception {
		SignedJWT assertion = acquire("rsa-client", "rsa", "rsa-key-1", output);
		assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
		assertThat(assertion.getHeader().getKeyID()).isEqualTo("rsa-key-1");
		assertThumbprints(assertion.getHeader(), Clients.certificate("rsa"));
	}

	@Test
	void rsaKeyWithoutKeyIdSignsAnAssertionWithoutKid(CapturedOutput output) throws Exception {
		SignedJWT assertion = acquire("rsa-unkeyed", "rsa", null, output);
		assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
		assertThat(assertion.getHeader().getKeyID()).isNull();
		assertThumbprints(assertion.getHeader(), Clients.certificate("rsa"));
	}

	@Test
	void ecKeyWithKeyIdSignsAnEs256AssertionTheServerAccepts(CapturedOutput output) throws Exception {
		SignedJWT assertion = acquire("ec-client", "ec", "ec-key-1", output);
		assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
		assertThat(assertion.getHeader().getKeyID()).isEqualTo("ec-key-1");
		assertThumbprints(assertion.getHeader(), Clients.certificate("ec"));
	}

	@Test
	void ecKeyWithoutKeyIdSignsAnEs256AssertionWithoutKid(CapturedOutput output) throws Exception {
		SignedJWT assertion = acquire("ec-unkeyed", "ec", null, output);
		assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
		assertThat(assertion.getHeader().getKeyID()).isNull();
	}

	@Test
	void everyTokenRequestCarriesAFreshAssertionAndTheServerRefusesAReplayedOne() throws Exception {
		try (ConfigurableApplicationContext application = Clients.application(privateKeyJwt("rsa-client", "rsa",
				"rsa-key-1"))) {
			TokenManager manager = application.getBean("idpTokenManager", TokenManager.class);
			int before = server.tokenRequests().size();
			for (int i = 0; i < 5; i++) {
				assertThat(manager.refresh().block(TIMEOUT)).isNotNull();
			}
			List<String> assertions = server.tokenRequests()
				.subList(before, before + 5)
				.stream()
				.map((request) -> request.get("client_assertion"))
				.toList();
			assertThat(assertions).doesNotHaveDuplicates();
			assertThat(assertions.stream().map(ClientAssertionTests::jti)).doesNotHaveDuplicates();
			// Sent again by hand, an assertion the starter used is refused: the server does check replays.
			HttpStatus replayed = (HttpStatus) WebClient.create()
				.post()
				.uri(server.tokenUri())
				.contentType(MediaType.APPLICATION_FORM_URLENCODED)
				.body(BodyInserters.fromFormData("grant_type", "client_credentials")
					.with("client_id", "rsa-client")
					.with("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
					.with("client_assertion", assertions.get(0)))
				.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode()))
				.block(TIMEOUT);
			assertThat(replayed).isEqualTo(HttpStatus.UNAUTHORIZED);
		}
	}

	@Test
	void thousandConcurrentRequestsOnAColdStoreMakeOneTokenCall() throws Exception {
		try (ConfigurableApplicationContext application = Clients.application(privateKeyJwt("rsa-client", "rsa",
				"rsa-key-1"))) {
			TokenManager manager = application.getBean("idpTokenManager", TokenManager.class);
			int before = server.tokenRequests().size();
			List<Token> tokens = Flux.range(0, 1000)
				.flatMap((i) -> manager.getToken().subscribeOn(Schedulers.parallel()), 1000)
				.collectList()
				.block(TIMEOUT);
			assertThat(tokens).hasSize(1000);
			assertThat(tokens.stream().map(Token::getAccessToken).distinct()).hasSize(1);
			assertThat(server.tokenRequests()).hasSize(before + 1);
		}
	}

	@Test
	void clientSecretJwtSignsAnHs256AssertionWithTheSecret(CapturedOutput output) throws Exception {
		try (ConfigurableApplicationContext application = Clients.application(client("secret-jwt-client",
				"token-refresh.clients.idp.client-authentication-method=client_secret_jwt",
				"token-refresh.clients.idp.client-secret=" + Clients.SECRET_JWT_SECRET))) {
			Token token = application.getBean("idpTokenManager", TokenManager.class).getToken().block(TIMEOUT);
			assertThat(token).isNotNull();
			SignedJWT assertion = SignedJWT.parse(lastRequest().get("client_assertion"));
			assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
			assertClaims(assertion.getJWTClaimsSet(), "secret-jwt-client");
			assertThat(lastRequest()).doesNotContainKey("client_secret");
			assertThat(output).doesNotContain(Clients.SECRET_JWT_SECRET).doesNotContain(assertion.serialize());
		}
	}

	@Test
	void parametersArriveWithEveryTokenRequest() {
		try (ConfigurableApplicationContext application = Clients.application(client("audience-client",
				"token-refresh.clients.idp.client-secret=secret", "token-refresh.clients.idp.parameters.audience=orders-api",
				"token-refresh.clients.idp.parameters.resource=https://orders.example.com"))) {
			TokenManager manager = application.getBean("idpTokenManager", TokenManager.class);
			assertThat(manager.getToken().block(TIMEOUT)).isNotNull();
			assertThat(lastRequest()).containsEntry("audience", "orders-api")
				.containsEntry("resource", "https://orders.example.com")
				.containsEntry("grant_type", "client_credentials");
			assertThat(manager.refresh().block(TIMEOUT)).isNotNull();
			assertThat(lastRequest()).containsEntry("audience", "orders-api")
				.containsEntry("resource", "https://orders.example.com");
		}
	}

	private static SignedJWT acquire(String clientId, String key, String keyId, CapturedOutput output)
			throws Exception {
		try (ConfigurableApplicationContext application = Clients.application(privateKeyJwt(clientId, key, keyId))) {
			Token token = application.getBean("idpTokenManager", TokenManager.class).getToken().block(TIMEOUT);
			assertThat(token).isNotNull();
			assertThat(SignedJWT.parse(token.getAccessToken()).getJWTClaimsSet().getSubject()).isEqualTo(clientId);
			Map<String, String> request = lastRequest();
			assertThat(request).containsEntry("client_assertion_type",
					"urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
			SignedJWT assertion = SignedJWT.parse(request.get("client_assertion"));
			assertClaims(assertion.getJWTClaimsSet(), clientId);
			assertThat(output).doesNotContain(assertion.serialize()).doesNotContain(token.getAccessToken());
			return assertion;
		}
	}

	private static void assertClaims(JWTClaimsSet claims, String clientId) {
		assertThat(claims.getIssuer()).isEqualTo(clientId);
		assertThat(claims.getSubject()).isEqualTo(clientId);
		assertThat(claims.getAudience()).containsExactly(server.tokenUri());
		assertThat(claims.getJWTID()).isNotBlank();
		Duration lifetime = Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant());
		assertThat(lifetime).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
	}

	private static void assertThumbprints(JWSHeader header, X509Certificate certificate) throws Exception {
		assertThat(header.getX509CertSHA256Thumbprint()).isEqualTo(Clients.sha256(certificate));
		assertThat(header.getX509CertThumbprint()).isEqualTo(Clients.sha1(certificate));
	}

	private static String jti(String assertion) {
		try {
			return SignedJWT.parse(assertion).getJWTClaimsSet().getJWTID();
		}
		catch (java.text.ParseException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static Map<String, String> lastRequest() {
		List<Map<String, String>> requests = server.tokenRequests();
		return requests.get(requests.size() - 1);
	}

	private static String[] client(String clientId, String... more) {
		List<String> properties = new ArrayList<>(List.of("token-refresh.clients.idp.token-uri=" + server.tokenUri(),
				"token-refresh.clients.idp.client-id=" + clientId));
		properties.addAll(List.of(more));
		return properties.toArray(String[]::new);
	}

	private static String[] privateKeyJwt(String clientId, String key, String keyId) {
		List<String> properties = new ArrayList<>(
				List.of(client(clientId, "token-refresh.clients.idp.client-authentication-method=private_key_jwt",
						"token-refresh.clients.idp.ssl-bundle=signing")));
		if (keyId != null) {
			properties.add("token-refresh.clients.idp.key-id=" + keyId);
		}
		properties.addAll(List.of(Clients.pemBundle("signing", key)));
		return properties.toArray(String[]::new);
	}

}
