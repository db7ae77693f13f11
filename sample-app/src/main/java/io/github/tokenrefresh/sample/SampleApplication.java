package io.github.tokenrefresh.sample;

import io.github.tokenrefresh.sample.demoserver.DemoServers;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * Runs the demo: the demo servers, the two token-carrying WebClients, the workload, and {@code GET /profile}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

	public static void main(String[] args) {
		new SpringApplicationBuilder(SampleApplication.class)
			// The demo servers must be listening before the starter binds application.yml, which refers to their
			// ports as ${demo.auth-server.url} and ${demo.api.url}. A real application leaves this line out.
			.initializers(new DemoServers())
			.run(args);
	}

}
