package io.github.tokenrefresh.autoconfigure;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.actuate.TokensEndpoint;
import org.springframework.aot.hint.BindingReflectionHintsRegistrar;
import org.springframework.aot.hint.MemberCategory;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.boot.context.properties.bind.BindableRuntimeHintsRegistrar;
import org.springframework.util.ClassUtils;

/**
 * Hints for what token-refresh uses reflectively, for a native image: properties bound by its own code (the
 * registrar's and {@link EnvironmentClientRegistrations}' {@code Binder} calls, which Spring Boot's hints for
 * {@code @ConfigurationProperties} beans do not see), the {@code tokens} endpoint's JSON payloads and the failure
 * analyzer that {@code spring.factories} names. The library reads no resource files: its Lua scripts are strings.
 */
class TokenRefreshRuntimeHints implements RuntimeHintsRegistrar {

	private static final boolean ACTUATOR_PRESENT = ClassUtils.isPresent(
			"org.springframework.boot.actuate.endpoint.OperationResponseBody",
			TokenRefreshRuntimeHints.class.getClassLoader());

	@Override
	public void registerHints(RuntimeHints hints, @Nullable ClassLoader classLoader) {
		BindableRuntimeHintsRegistrar
			.forTypes(TokenRefreshProperties.class, RedisTokenStoreProperties.class,
					EnvironmentClientRegistrations.Registration.class)
			.registerHints(hints, classLoader);
		hints.reflection()
			.registerType(TokenRefreshFailureAnalyzer.class, MemberCategory.INVOKE_DECLARED_CONSTRUCTORS);
		if (ACTUATOR_PRESENT) {
			Actuator.registerHints(hints);
		}
	}

	/**
	 * Loaded only with Spring Boot's actuator on the class path: the payload types implement its interface.
	 */
	private static final class Actuator {

		static void registerHints(RuntimeHints hints) {
			// Serialized by Jackson: the records' accessors are read reflectively. The registrar walks the record
			// components, so the client descriptor and its last error are reached from the root payload.
			new BindingReflectionHintsRegistrar().registerReflectionHints(hints.reflection(),
					TokensEndpoint.TokensDescriptor.class);
		}

	}

}
