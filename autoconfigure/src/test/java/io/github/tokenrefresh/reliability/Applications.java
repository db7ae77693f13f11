package io.github.tokenrefresh.reliability;

import java.util.ArrayList;
import java.util.List;

import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.test.DeliveryRecordingConnector;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Starts a Spring Boot application with the starter and nothing else, configured by properties alone, the way an
 * application using the starter would be.
 */
final class Applications {

	private Applications() {
	}

	static ConfigurableApplicationContext start(List<String> properties, String... more) {
		return start(properties, (context) -> {
		}, more);
	}

	static ConfigurableApplicationContext start(List<String> properties,
			ApplicationContextInitializer<ConfigurableApplicationContext> initializer, String... more) {
		List<String> all = new ArrayList<>(properties);
		all.addAll(List.of(more));
		all.add("spring.main.banner-mode=off");
		return new SpringApplicationBuilder(Application.class).web(WebApplicationType.NONE)
			.bannerMode(Banner.Mode.OFF)
			.logStartupInfo(false)
			.properties(all.toArray(String[]::new))
			.initializers(initializer)
			.run();
	}

	/**
	 * Use {@link DeliveryRecordingConnector} for the application's WebClients, so that a leak of a response Spring's
	 * connector lost under a cancelling caller can be told apart from any other (with
	 * {@link DeliveryRecordingConnector#LEAK_RECORDS_NAME_CONNECTIONS} among the properties).
	 */
	static void recordDeliveries(ConfigurableApplicationContext context) {
		context.getBeanFactory().registerSingleton("deliveryRecordingConnector", new DeliveryRecordingConnector());
	}

	static List<TokenManager> managers(ConfigurableApplicationContext context) {
		return List.copyOf(context.getBeansOfType(TokenManager.class).values());
	}

	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class Application {

	}

}
