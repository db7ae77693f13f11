package io.github.tokenrefresh.autoconfigure;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Store;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches the configured {@code token-refresh.store.type}, bound like the property itself so that
 * {@code in-memory}, {@code in_memory} and {@code IN_MEMORY} all match.
 */
abstract class StoreTypeCondition extends SpringBootCondition {

	private static final String PROPERTY = "token-refresh.store.type";

	private final Store.Type type;

	StoreTypeCondition(Store.Type type) {
		this.type = type;
	}

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		Store.Type configured = Binder.get(context.getEnvironment())
			.bind(PROPERTY, Store.Type.class)
			.orElse(Store.Type.IN_MEMORY);
		return (configured == this.type) ? ConditionOutcome.match(PROPERTY + " is " + configured)
				: ConditionOutcome.noMatch(PROPERTY + " is " + configured);
	}

	static final class InMemory extends StoreTypeCondition {

		InMemory() {
			super(Store.Type.IN_MEMORY);
		}

	}

	static final class Redis extends StoreTypeCondition {

		Redis() {
			super(Store.Type.REDIS);
		}

	}

}
