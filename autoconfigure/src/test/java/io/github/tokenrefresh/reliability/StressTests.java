package io.github.tokenrefresh.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.reliability.FaultyAuthServer.Audit;
import io.github.tokenrefresh.reliability.Load.Outcome;
import io.github.tokenrefresh.reliability.Load.Report;
import io.github.tokenrefresh.test.DeliveryRecordingConnector;
import io.github.tokenrefresh.test.NettyLeakDetection;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 10,000 requests at a concurrency of 128 through the autowired WebClients of a Spring Boot application (an
 * OAuth 2.0 client and a login client, in-memory store) while the authorization server issues two-second tokens,
 * revokes random ones, is slow at times and answers 500 or 503 now and then, and callers cancel one request in
 * ten.
 */
class StressTests {

	private static final Log logger = LogFactory.getLog(StressTests.class);

	private static final Duration LIFETIME = Duration.ofSeconds(2);

	// The engine refreshes min(60s, lifetime / 2) before expiry.
	private static final Duration REFRESH_BEFORE_EXPIRY = Duration.ofSeconds(60);

	private static final int ROUNDS = 5;

	private static final double CANCEL_SHARE = 0.1;

	private static final int REQUESTS_PER_ROUND = 2_000;

	// TokenEndpoints' default: a call is retried at most three times.
	private static final int MAX_RETRIES = 3;

	// A leak of a couple of kilobytes per request shows over the 6,000 requests after the warm-up rounds.
	private static final long HEAP_GROWTH_TOLERANCE = 12 * 1024 * 1024;

	@Test
	void everyRequestEndsInAKnownWayAndTokenCallsStayWithinOnePerExpiryOrRevocation() {
		int cancelled;
		try (FaultyAuthServer server = new FaultyAuthServer(LIFETIME, REFRESH_BEFORE_EXPIRY);
				ConfigurableApplicationContext context = Applications.start(server.clientProperties(),
						(app) -> app.getBeanFactory()
							.registerSingleton("deliveryRecordingConnector", new TokenReceiptRecordingConnector(server)),
						DeliveryRecordingConnector.LEAK_RECORDS_NAME_CONNECTIONS,
						"token-refresh.clients.orders.refresh-before-expiry=" + REFRESH_BEFORE_EXPIRY.toSeconds() + "s",
						"token-refresh.clients.billing.refresh-before-expiry="
								+ REFRESH_BEFORE_EXPIRY.toSeconds() + "s")) {
			server.failures(0.15);
			server.slowness(0.25, Duration.ofMillis(900));
			server.revocations(0.001);
			Load load = new Load(List.of(context.getBean("orders", WebClient.class),
					context.getBean("billing", WebClient.class)), List.of("", ""))
				.concurrency(128)
				.cancelShare(CANCEL_SHARE);
			long started = System.nanoTime();
			Report total = new Report();
			List<Long> heap = new ArrayList<>();
			for (int round = 0; round < ROUNDS; round++) {
				total = total.plus(load.run(REQUESTS_PER_ROUND, (i) -> {
				}));
				heap.add(Load.heapAfterGc());
			}
			Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
			List<TokenManager> managers = Applications.managers(context);
			await().atMost(Duration.ofSeconds(15)).until(() -> managers.stream().noneMatch(TokenManager::isRefreshing));
			logger.info("In-memory stress: " + total + " in " + elapsed.toMillis() + " ms; orders " + calls(server,
					"orders") + ", billing " + calls(server, "billing") + "; heap after rounds " + heap);

			// None lost, none hung, none failed in an undocumented way.
			total.assertEveryRequestEndedInAKnownWay(ROUNDS * REQUESTS_PER_ROUND);
			for (String client : List.of("orders", "billing")) {
				assertTokenCallsBounded(server, client, elapsed);
				// The run is long enough for every client's tokens to expire.
				assertThat(server.auditOfReceived(client).due()).as("%s expiry events", client).isPositive();
			}
			// Revocations are random (about one per thousand requests): counted over both clients, as one client alone
			// drew none in one run.
			assertThat(server.revoked("orders") + server.revoked("billing")).as("revocations").isPositive();
			assertThat(managers).hasSize(2).noneMatch(TokenManager::isRefreshing);
			assertThat(heap.get(heap.size() - 1) - heap.get(1)).as("heap growth after warm-up, heap %s", heap)
				.isLessThan(HEAP_GROWTH_TOLERANCE);
			cancelled = total.get(Outcome.CANCELLED);
		}
		assertNoLeaks(cancelled);
	}

	/**
	 * Fail on any leak but those of responses Spring's connector received and lost before handing them to
	 * WebClient when the caller cancelled at that moment: a plain WebClient without the starter loses about one in
	 * 20,000 cancelled requests that way (measured: 2 in 41,671 cancelled requests, and 2 in 54,945 through the starter), which the starter cannot see, let alone release.
	 */
	static void assertNoLeaks(int cancelled) {
		NettyLeakDetection.assertNoLeaks();
		int lost = NettyLeakDetection.takeConnectorRaces();
		logger.info(cancelled + " requests cancelled; responses lost by Spring's connector: " + lost);
		assertThat(lost).as("responses lost by the connector").isLessThanOrEqualTo(Math.max(1, cancelled / 1000));
	}

	/**
	 * Bound the token calls exactly, by what the client received. A loaded machine once failed the older bound
	 * on the server's issuances ("billing tokens issued 10, bound 9"), which cannot tell an extra issuance from one
	 * whose answer never reached the client (a pooled connection closed as the answer went out, a timeout) and was
	 * retried. The audit tells them apart: a lost answer is counted as lost, and any token received that replaced
	 * one neither revoked nor due fails the test. Not reproduced since (9 loaded runs: lost 0, unjustified none).
	 */
	static void assertTokenCallsBounded(FaultyAuthServer server, String client, Duration elapsed) {
		Audit audit = server.auditOfReceived(client);
		logger.info(client + " " + audit);
		assertThat(audit.unjustified()).as("%s tokens received that replaced one neither revoked nor due", client)
			.isEmpty();
		// Exact: every token received is the first, or replaced a revoked or a due one.
		assertThat(audit.received()).as("%s tokens received", client)
			.isEqualTo(1 + audit.due() + audit.revokedReplaced());
		assertThat(audit.revokedReplaced()).as("%s revocations", client).isLessThanOrEqualTo(server.revoked(client));
		assertThat(audit.received() + audit.lost()).as("%s tokens issued", client).isEqualTo(server.issued(client));
		long lifetimeBeforeRefresh = LIFETIME.minus(LIFETIME.dividedBy(2)).toMillis();
		assertThat(audit.due()).as("%s expiry events", client)
			.isLessThanOrEqualTo((int) (elapsed.toMillis() / lifetimeBeforeRefresh) + 1);
		// A lost answer is one failed attempt of a call that is retried; attempts are bounded per call.
		int calls = 1 + audit.due() + server.revoked(client);
		assertThat(server.tokenCalls(client)).as("%s token-endpoint calls", client)
			.isGreaterThanOrEqualTo(server.issued(client) + server.failedAnswers(client))
			.isLessThanOrEqualTo(calls * (1 + MAX_RETRIES));
	}

	static String calls(FaultyAuthServer server, String client) {
		return "calls=" + server.tokenCalls(client) + " issued=" + server.issued(client) + " failed="
				+ server.failedAnswers(client) + " due=" + server.dueReplacements(client) + " revoked="
				+ server.revoked(client);
	}

}
