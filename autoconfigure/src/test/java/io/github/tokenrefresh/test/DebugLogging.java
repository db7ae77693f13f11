package io.github.tokenrefresh.test;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;

/**
 * Turns the starter's, Spring's and Reactor Netty's loggers to DEBUG around each test, so that tests capturing the
 * output prove no secret is logged even at the most talkative level.
 */
public final class DebugLogging implements BeforeEachCallback, AfterEachCallback {

	private static final String[] LOGGERS = { "io.github.tokenrefresh", "org.springframework", "reactor.netty" };

	@Override
	public void beforeEach(ExtensionContext context) {
		set(LogLevel.DEBUG);
	}

	@Override
	public void afterEach(ExtensionContext context) {
		set(null);
	}

	private static void set(LogLevel level) {
		LoggingSystem logging = LoggingSystem.get(DebugLogging.class.getClassLoader());
		for (String logger : LOGGERS) {
			logging.setLogLevel(logger, level);
		}
	}

}
