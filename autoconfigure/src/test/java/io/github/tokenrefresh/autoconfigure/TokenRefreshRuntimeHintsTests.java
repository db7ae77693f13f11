package io.github.tokenrefresh.autoconfigure;

import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.tokenrefresh.actuate.TokensEndpoint;
import org.springframework.aot.hint.RuntimeHints;
import org.springframework.aot.hint.RuntimeHintsRegistrar;
import org.springframework.aot.hint.predicate.ReflectionHintsPredicates;
import org.springframework.aot.hint.predicate.RuntimeHintsPredicates;
import org.springframework.beans.factory.aot.AotServices;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TokenRefreshRuntimeHints}: one assertion per hint, so that dropping any of them fails here.
 */
class TokenRefreshRuntimeHintsTests {

	private final ReflectionHintsPredicates reflection = RuntimeHintsPredicates.reflection();

	private final RuntimeHints hints = registerHints();

	private static RuntimeHints registerHints() {
		RuntimeHints hints = new RuntimeHints();
		new TokenRefreshRuntimeHints().registerHints(hints, TokenRefreshRuntimeHintsTests.class.getClassLoader());
		return hints;
	}

	@Test
	void hintsAreContributedThroughAotFactories() {
		assertThat(AotServices.factories().load(RuntimeHintsRegistrar.class))
			.hasAtLeastOneElementOfType(TokenRefreshRuntimeHints.class);
	}

	@Test
	void propertiesClassAndEveryNestedClassCanBeBound() throws NoSuchMethodException {
		List<Class<?>> nested = Arrays.stream(TokenRefreshProperties.class.getDeclaredClasses())
			.filter((type) -> !type.isEnum() && Modifier.isStatic(type.getModifiers()))
			.toList();
		assertThat(nested).contains(TokenRefreshProperties.Client.class, TokenRefreshProperties.Login.class,
				TokenRefreshProperties.Store.class);
		assertBindable(TokenRefreshProperties.class, "setEnabled");
		assertBindable(TokenRefreshProperties.Client.class, "setTokenUri");
		assertBindable(TokenRefreshProperties.Login.class, "setUri");
		assertBindable(TokenRefreshProperties.Store.class, "setKeyPrefix");
		for (Class<?> type : nested) {
			assertThat(this.reflection.onConstructorInvocation(type.getDeclaredConstructor())).as(type.getName())
				.accepts(this.hints);
		}
	}

	@Test
	void redisStorePropertiesCanBeBound() throws NoSuchMethodException {
		assertBindable(RedisTokenStoreProperties.class, "setEncryptionKey");
		assertBindable(RedisTokenStoreProperties.class, "setLeaseTtl");
	}

	@Test
	void oauth2ClientRegistrationsCanBeBoundFromTheEnvironment() throws NoSuchMethodException {
		assertBindable(EnvironmentClientRegistrations.Registration.class, "setClientId");
		assertBindable(EnvironmentClientRegistrations.Registration.class, "setAuthorizationGrantType");
	}

	@Test
	void tokensEndpointPayloadsCanBeSerialized() {
		assertThat(this.reflection.onMethodInvocation(TokensEndpoint.TokensDescriptor.class, "clients"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(TokensEndpoint.ClientDescriptor.class, "secondsLeft"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(TokensEndpoint.ClientDescriptor.class, "lastError"))
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(TokensEndpoint.LastError.class, "errorCode"))
			.accepts(this.hints);
	}

	@Test
	void failureAnalyzerNamedInSpringFactoriesCanBeInstantiated() throws NoSuchMethodException {
		assertThat(this.reflection.onConstructorInvocation(TokenRefreshFailureAnalyzer.class.getDeclaredConstructor()))
			.accepts(this.hints);
	}

	private void assertBindable(Class<?> type, String setter) throws NoSuchMethodException {
		assertThat(this.reflection.onConstructorInvocation(type.getDeclaredConstructor())).as(type.getName())
			.accepts(this.hints);
		assertThat(this.reflection.onMethodInvocation(type, setter)).as(type.getName() + "." + setter)
			.accepts(this.hints);
	}

}
