package dev.sluice.platform.connection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.io.ClassPathResource;

/**
 * Adds, below everything else, (1) the Spring client settings derived from the {@code sluice.*} connection
 * settings, as placeholders resolved when read (so a value set later, by a test or a profile, still flows
 * through), with the defaults of {@link ConnectionProperties}; and (2) the platform's defaults
 * ({@code sluice-platform-defaults.properties}: actuator exposure, graceful shutdown, metrics tags).
 */
public final class PlatformEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String DERIVED = "sluice-derived-client-settings";
    static final String DEFAULTS = "sluice-platform-defaults";
    static final String OTLP_TRACES_ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        ConnectionProperties defaults = Binder.get(new org.springframework.core.env.StandardEnvironment())
                .bindOrCreate("sluice", ConnectionProperties.class);
        Map<String, Object> derived = new LinkedHashMap<>();
        derived.put("spring.kafka.bootstrap-servers", "${sluice.kafka.bootstrap:" + defaults.kafka().bootstrap() + "}");
        derived.put("spring.datasource.url", "jdbc:${sluice.pg.url:" + defaults.pg().url() + "}");
        derived.put("spring.datasource.username", "${sluice.pg.user:" + defaults.pg().user() + "}");
        derived.put("spring.datasource.password", "${sluice.pg.password:}");
        derived.put("spring.data.redis.url", "${sluice.redis.url:" + defaults.redis().url() + "}");
        // Kafka security, for every client Spring builds (producers, consumers, admin, Kafka Streams): bound now, as
        // the login module's configuration is one property made of several settings
        ConnectionProperties.Kafka kafka = Binder.get(environment).bindOrCreate("sluice.kafka", ConnectionProperties.Kafka.class);
        kafka.security().clientProperties().forEach((name, value) -> derived.put("spring.kafka.properties." + name, value));
        // Redis over TLS trusting a certificate of our own: a Spring SSL bundle for the Lettuce connection factory
        String redisTruststore = environment.getProperty("sluice.redis.truststore", "");
        if (!redisTruststore.isBlank()) {
            derived.put("spring.ssl.bundle.pem.sluice-redis.truststore.certificate", "file:" + redisTruststore);
            derived.put("spring.data.redis.ssl.enabled", "true");
            derived.put("spring.data.redis.ssl.bundle", "sluice-redis");
        }
        // Traces: none recorded unless they go somewhere. Trace ids still exist (logs, problem responses); an
        // operator who sets an OTLP endpoint gets one request in ten unless they choose a probability.
        derived.put("management.tracing.sampling.probability",
                environment.containsProperty(OTLP_TRACES_ENDPOINT) ? "0.1" : "0.0");
        environment.getPropertySources().addLast(new MapPropertySource(DERIVED, derived));
        try {
            new PropertiesPropertySourceLoader()
                    .load(DEFAULTS, new ClassPathResource("sluice-platform-defaults.properties"))
                    .forEach(environment.getPropertySources()::addLast);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sluice-platform-defaults.properties", e);
        }
    }
}
