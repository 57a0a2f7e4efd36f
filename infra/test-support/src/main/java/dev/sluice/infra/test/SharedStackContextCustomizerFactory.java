package dev.sluice.infra.test;

import dev.sluice.infra.stack.Connections;
import java.util.List;
import java.util.Map;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.test.context.ContextConfigurationAttributes;
import org.springframework.test.context.ContextCustomizer;
import org.springframework.test.context.ContextCustomizerFactory;
import org.springframework.test.context.MergedContextConfiguration;
import org.springframework.test.context.support.TestPropertySourceUtils;

/**
 * Points a Spring test annotated {@link SharedStackTest} at the shared stack, on the class's own database, and has
 * its context closed before the stack stops (otherwise its Kafka clients would spend their close timeouts
 * reaching a broker that is gone).
 */
public final class SharedStackContextCustomizerFactory implements ContextCustomizerFactory {

    @Override
    public ContextCustomizer createContextCustomizer(Class<?> testClass, List<ContextConfigurationAttributes> configAttributes) {
        Class<?> outermost = SharedStackExtension.outermost(testClass);
        if (!MergedAnnotations.from(outermost, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY).isPresent(SharedStackTest.class)) {
            return null;
        }
        return new Customizer(SharedStackExtension.databaseName(outermost), outermost);
    }

    /** Equal for equal databases, so Spring caches and shares one context across such test classes. */
    private record Customizer(String database, Class<?> testClass) implements ContextCustomizer {

        @Override
        public void customizeContext(ConfigurableApplicationContext context, MergedContextConfiguration config) {
            Connections connections = SharedStackExtension.databaseConnections(testClass);
            MapPropertySource stack = new MapPropertySource("sluice-shared-stack", Map.of(
                    "sluice.kafka.bootstrap", connections.kafkaBootstrap(),
                    "sluice.pg.url", connections.postgresUrl(),
                    "sluice.pg.user", connections.postgresUser(),
                    "sluice.pg.password", connections.postgresPassword(),
                    "sluice.redis.url", connections.redisUrl()));
            // Below the test's own inlined properties, so a test can still override any of these.
            MutablePropertySources sources = context.getEnvironment().getPropertySources();
            if (sources.contains(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME)) {
                sources.addAfter(TestPropertySourceUtils.INLINED_PROPERTIES_PROPERTY_SOURCE_NAME, stack);
            } else {
                sources.addFirst(stack);
            }
            SharedStack.closeBeforeStack(context::close);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Customizer customizer && customizer.database.equals(database);
        }

        @Override
        public int hashCode() {
            return database.hashCode();
        }
    }
}
