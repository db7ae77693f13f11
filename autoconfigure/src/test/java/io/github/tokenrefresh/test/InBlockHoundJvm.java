package io.github.tokenrefresh.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.management.ManagementFactory;

import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Runs a test class only in the JVM of the surefire execution made for BlockHound: BlockHound instruments the JVM
 * for good, and needs the flags that execution starts it with. {@code -Dtest} runs a class in every execution.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@EnabledIf(value = "io.github.tokenrefresh.test.InBlockHoundJvm$Jvm#isBlockHoundJvm",
		disabledReason = "BlockHound instruments only a JVM started with the blockhound execution's flags")
public @interface InBlockHoundJvm {

	/**
	 * The condition.
	 */
	final class Jvm {

		private Jvm() {
		}

		static boolean isBlockHoundJvm() {
			return ManagementFactory.getRuntimeMXBean()
				.getInputArguments()
				.contains("-XX:+AllowRedefinitionToAddDeleteMethods");
		}

	}

}
