package io.github.tokenrefresh.sample;

import java.time.Duration;

import io.github.tokenrefresh.sample.demoserver.DemoServers;
import io.github.tokenrefresh.sample.workload.DemoWorkload;
import io.github.tokenrefresh.sample.workload.WorkloadReport.ClientReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the real demo, shortened to a few seconds with 2 s tokens and frequent revocations: every request must
 * succeed, every 401 must be recovered, and the token endpoints must see a small fraction of the API's traffic.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "demo.workload.duration=3s", "demo.server.token-lifetime=2s", "demo.server.revoke-rate=0.03" })
@ContextConfiguration(initializers = DemoServers.class)
@ExtendWith(OutputCaptureExtension.class)
class DemoApplicationTests {

	@Autowired
	private DemoWorkload workload;

	@Value("${local.server.port}")
	private int port;

	@Test
	void demoRecoversEvery401AndCallsTheTokenEndpointsFarLessOftenThanTheApi(CapturedOutput output) {
		StepVerifier.create(this.workload.finished()).assertNext((report) -> {
			ClientReport total = report.total();
			assertThat(total.failed()).isZero();
			assertThat(total.server().revoked()).isPositive();
			assertThat(total.recovered()).isEqualTo(total.server().unauthorized());
			assertThat(total.server().rejectedTokenCalls()).isZero();
			// Without caching and single-flight there would be a token call per request, or more.
			assertThat(total.server().tokenCalls() * 5).isLessThan(total.ok());
			assertThat(report.orders().server().firstTokens()).isOne();
			assertThat(report.profile().server().firstTokens()).isOne();
		}).expectComplete().verify(Duration.ofSeconds(30));
		assertThat(output).contains("requests ok", "Demo workload finished", "requests per token-endpoint call")
			.doesNotContain("orders-secret", "demo-password");
	}

	@Test
	void servesProfileThroughTheProfileWebClient() {
		StepVerifier.create(WebClient.create("http://localhost:" + this.port).get().uri("/profile")
			.retrieve()
			.bodyToMono(String.class))
			.assertNext((body) -> assertThat(body).contains("\"username\":\"demo\"", "\"displayName\":\"Demo User\""))
			.expectComplete()
			.verify(Duration.ofSeconds(10));
	}

}
