package io.github.tokenrefresh.autoconfigure;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.core.TokenManager;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.handler.IgnoreErrorsBindHandler;
import org.springframework.context.EnvironmentAware;
import org.springframework.context.annotation.ImportBeanDefinitionRegistrar;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotationMetadata;
import org.springframework.util.Assert;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Registers a bean per configured client: its {@link TokenManager} ({@code <client>TokenManager}) and, for a
 * client with a {@code base-url} and {@code register-bean: true}, a {@link WebClient} named after the client and a
 * {@code RestClient} named {@code <client>RestClient}, qualified with the client name.
 * A bean the application already defines under either name is left in place. The properties are validated here,
 * so that a mistake fails the start before any bean is created.
 * <p>
 * Every definition is a factory method of {@link ClientBeans} with the client's name as its argument, never an
 * instance supplier: Spring AOT generates code for such definitions, so client names (and which beans each client
 * has) are fixed at build time while every value is bound from the environment at run time. A new per-client bean
 * type is one more {@code registerXxx} method here calling {@link #register}, and its factory method in
 * {@link ClientBeans}.
 */
class TokenRefreshBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware {

	/**
	 * System property that Spring Boot's AOT processors set while they process the application.
	 */
	private static final String AOT_PROCESSING = "spring.aot.processing";

	private @Nullable Environment environment;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		Assert.state(this.environment != null, "Environment required");
		for (Map.Entry<String, Client> entry : clients(this.environment).entrySet()) {
			String name = entry.getKey();
			registerTokenManager(registry, name);
			registerWebClient(registry, name, entry.getValue());
			registerRestClient(registry, name, entry.getValue());
		}
	}

	/**
	 * Bind and validate the clients; while processing ahead of time, bind only what decides which beans exist.
	 * A build made with placeholders for URLs, secrets or durations must succeed: their real values arrive at run
	 * time and are validated then (see {@link ClientBeans}).
	 */
	private static Map<String, Client> clients(Environment environment) {
		Binder binder = Binder.get(environment);
		if (Boolean.parseBoolean(System.getProperty(AOT_PROCESSING))) {
			return binder.bind("token-refresh", Bindable.of(TokenRefreshProperties.class), new IgnoreErrorsBindHandler())
				.map(TokenRefreshProperties::getClients)
				.orElseGet(Map::of);
		}
		TokenRefreshProperties properties = binder.bind("token-refresh", TokenRefreshProperties.class)
			.orElseGet(TokenRefreshProperties::new);
		TokenRefreshPropertiesValidator.validate(properties);
		return properties.getClients();
	}

	private static void registerTokenManager(BeanDefinitionRegistry registry, String name) {
		RootBeanDefinition manager = register(registry, name + ClientTokenManagers.TOKEN_MANAGER_SUFFIX,
				TokenManager.class, "tokenManager", name);
		if (manager != null) {
			// Resolving the token source validates the rest of the configuration: do it at startup even when
			// the application initializes beans lazily.
			manager.setLazyInit(false);
		}
	}

	private static void registerWebClient(BeanDefinitionRegistry registry, String name, Client client) {
		if (client.getBaseUrl() != null && client.isRegisterBean()) {
			register(registry, name, WebClient.class, "webClient", name);
		}
	}

	/**
	 * Register {@code <client>RestClient}, qualified with the client name so that {@code @Qualifier("<client>")}
	 * finds it as it finds the client's WebClient.
	 */
	private static void registerRestClient(BeanDefinitionRegistry registry, String name, Client client) {
		if (client.getBaseUrl() != null && client.isRegisterBean()) {
			RootBeanDefinition restClient = register(registry, name + ClientBeans.REST_CLIENT_SUFFIX,
					RestClient.class, "restClient", name);
			if (restClient != null) {
				restClient.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
			}
		}
	}

	/**
	 * Register a bean made by a {@link ClientBeans} factory method that takes the client name, unless the
	 * application already defines one under that name.
	 * @return the definition, or {@code null} when the application's bean was left in place
	 */
	private static @Nullable RootBeanDefinition register(BeanDefinitionRegistry registry, String beanName,
			Class<?> type, String factoryMethod, String clientName) {
		if (registry.containsBeanDefinition(beanName)) {
			return null;
		}
		RootBeanDefinition definition = new RootBeanDefinition();
		definition.setTargetType(type);
		definition.setFactoryBeanName(ClientBeans.BEAN_NAME);
		definition.setFactoryMethodName(factoryMethod);
		definition.getConstructorArgumentValues().addIndexedArgumentValue(0, clientName);
		registry.registerBeanDefinition(beanName, definition);
		return definition;
	}

}
