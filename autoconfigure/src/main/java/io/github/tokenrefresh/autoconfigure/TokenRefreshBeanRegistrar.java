package io.github.tokenrefresh.autoconfigure;

import java.util.Map;

import org.jspecify.annotations.Nullable;

import io.github.tokenrefresh.autoconfigure.TokenRefreshProperties.Client;
import io.github.tokenrefresh.core.TokenManager;
import io.github.tokenrefresh.web.TokenRefreshExchangeFilterFunction;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.support.AbstractBeanDefinition;
import org.springframework.beans.factory.support.AutowireCandidateQualifier;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.context.properties.bind.Binder;
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
 */
class TokenRefreshBeanRegistrar implements ImportBeanDefinitionRegistrar, EnvironmentAware, BeanFactoryAware {

	private @Nullable Environment environment;

	private @Nullable BeanFactory beanFactory;

	@Override
	public void setEnvironment(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = beanFactory;
	}

	@Override
	public void registerBeanDefinitions(AnnotationMetadata metadata, BeanDefinitionRegistry registry) {
		Assert.state(this.environment != null && this.beanFactory != null, "Environment and BeanFactory required");
		BeanFactory beanFactory = this.beanFactory;
		TokenRefreshProperties properties = Binder.get(this.environment)
			.bind("token-refresh", TokenRefreshProperties.class)
			.orElseGet(TokenRefreshProperties::new);
		TokenRefreshPropertiesValidator.validate(properties);
		for (Map.Entry<String, Client> entry : properties.getClients().entrySet()) {
			String name = entry.getKey();
			String managerName = name + ClientTokenManagers.TOKEN_MANAGER_SUFFIX;
			if (!registry.containsBeanDefinition(managerName)) {
				RootBeanDefinition manager = new RootBeanDefinition(TokenManager.class,
						() -> beanFactory.getBean(ClientTokenManagers.class).create(name));
				// Resolving the token source validates the rest of the configuration: do it at startup even when
				// the application initializes beans lazily.
				manager.setLazyInit(false);
				registry.registerBeanDefinition(managerName, manager);
			}
			String baseUrl = entry.getValue().getBaseUrl();
			if (baseUrl != null && entry.getValue().isRegisterBean() && !registry.containsBeanDefinition(name)) {
				registry.registerBeanDefinition(name,
						new RootBeanDefinition(WebClient.class, () -> createWebClient(beanFactory, baseUrl)));
			}
			if (baseUrl != null && entry.getValue().isRegisterBean()) {
				registerRestClient(registry, name, baseUrl);
			}
		}
	}

	/**
	 * Register {@code <client>RestClient}, qualified with the client name so that {@code @Qualifier("<client>")}
	 * finds it as it finds the client's WebClient. A factory method with argument values, so AOT can process it.
	 */
	private static void registerRestClient(BeanDefinitionRegistry registry, String name, String baseUrl) {
		String beanName = name + TokenRefreshRestClients.BEAN_NAME_SUFFIX;
		if (registry.containsBeanDefinition(beanName)) {
			return;
		}
		RootBeanDefinition restClient = new RootBeanDefinition(TokenRefreshRestClients.class);
		restClient.setTargetType(RestClient.class);
		restClient.setFactoryMethodName("restClient");
		restClient.setAutowireMode(AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
		restClient.getConstructorArgumentValues().addIndexedArgumentValue(0, baseUrl);
		restClient.addQualifier(new AutowireCandidateQualifier(Qualifier.class, name));
		registry.registerBeanDefinition(beanName, restClient);
	}

	private static WebClient createWebClient(BeanFactory beanFactory, String baseUrl) {
		WebClient.Builder builder = beanFactory.getBeanProvider(WebClient.Builder.class)
			.getIfAvailable(WebClient::builder);
		DeferredTokenRefreshFilter filter = new DeferredTokenRefreshFilter(
				beanFactory.getBeanProvider(TokenRefreshExchangeFilterFunction.class));
		return DeferredTokenRefreshFilter.addIfAbsent(builder, filter).baseUrl(baseUrl).build();
	}

}
