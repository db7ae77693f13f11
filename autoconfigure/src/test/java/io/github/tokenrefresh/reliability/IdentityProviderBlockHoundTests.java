package io.github.tokenrefresh.reliability;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.tokenrefresh.core.Token;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.idp.AuthorizationServer;
import io.github.tokenrefresh.idp.Clients;
import io.github.tokenrefresh.test.InBlockHoundJvm;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.blockhound.BlockHound;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No blocking call on a non-blocking thread for the enterprise identity provider paths, against a real Spring
 * Authorization Server: issuer discovery, RS256 and ES256 client assertions (signing draws on SecureRandom, which
 * may read /dev/urandom), and a client assertion read from a file. Runs in the BlockHound JVM.
 */
@InBlockHoundJvm
class IdentityProviderBlockHoundTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	static Path directory;

	private static MockWebServer jwks;

	private static AuthorizationServer server;

	private static ConfigurableApplicationContext application;

	@BeforeAll
	static void start() throws Exception {
		BlockHound.install();
		jwks = Clients.jwkSet(Clients.publicJwk("rsa", null), Clients.publicJwk("ec", null));
		server = AuthorizationServer.start(
				Clients.privateKeyJwt("rsa-client", jwks.url("/jwks").toString(), SignatureAlgorithm.RS256),
				Clients.privateKeyJwt("ec-client", jwks.url("/jwks").toString(), SignatureAlgorithm.ES256),
				Clients.privateKeyJwt("workload", jwks.url("/jwks").toString(), SignatureAlgorithm.RS256));
		Path file = directory.resolve("token");
		Files.writeString(file, Clients.assertion("workload", server.tokenUri()));
		String c = "token-refresh.clients.";
		application = Clients.application(c + "rsa.issuer-uri=" + server.issuer(), c + "rsa.client-id=rsa-client",
				c + "rsa.client-authentication-method=private_key_jwt", c + "rsa.ssl-bundle=rsa",
				c + "ec.token-uri=" + server.tokenUri(), c + "ec.client-id=ec-client",
				c + "ec.client-authentication-method=private_key_jwt", c + "ec.ssl-bundle=ec",
				c + "workload.token-uri=" + server.tokenUri(), c + "workload.client-id=workload",
				c + "workload.client-authentication-method=private_key_jwt",
				c + "workload.client-assertion-file=" + file, Clients.pemBundle("rsa", "rsa")[0],
				Clients.pemBundle("rsa", "rsa")[1], Clients.pemBundle("ec", "ec")[0], Clients.pemBundle("ec", "ec")[1]);
	}

	@AfterAll
	static void stop() throws Exception {
		application.close();
		server.close();
		jwks.close();
	}

	@BeforeEach
	void forgetDetections() {
		RecordingBlockHoundIntegration.clear();
	}

	@Test
	void discoveryAndClientAssertionsNeverBlockANonBlockingThread() throws Exception {
		for (String client : List.of("rsa", "ec")) {
			TokenManager manager = application.getBean(client + "TokenManager", TokenManager.class);
			List<Token> tokens = Flux.range(0, 50)
				.flatMap((i) -> manager.getToken().subscribeOn(Schedulers.parallel()), 50)
				.collectList()
				.block(TIMEOUT);
			assertThat(tokens).hasSize(50);
			for (int i = 0; i < 3; i++) {
				assertThat(manager.refresh().subscribeOn(Schedulers.parallel()).block(TIMEOUT)).isNotNull();
			}
		}
		TokenManager workload = application.getBean("workloadTokenManager", TokenManager.class);
		assertThat(workload.getToken().subscribeOn(Schedulers.parallel()).block(TIMEOUT)).isNotNull();
		assertThat(server.tokenRequests()).hasSize(9);
		assertThat(RecordingBlockHoundIntegration.detected()).isEmpty();
	}

}
