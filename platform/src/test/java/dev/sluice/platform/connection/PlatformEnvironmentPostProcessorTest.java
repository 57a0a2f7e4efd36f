package dev.sluice.platform.connection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class PlatformEnvironmentPostProcessorTest {

    private static StandardEnvironment environment(Map<String, Object> variables) {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        new PlatformEnvironmentPostProcessor().postProcessEnvironment(environment, new SpringApplication());
        return environment;
    }

    @Test
    void theDocumentedEnvironmentVariablesReachEveryClient() {
        StandardEnvironment environment = environment(Map.of(
                "SLUICE_KAFKA_BOOTSTRAP", "kafka-1:9092,kafka-2:9092",
                "SLUICE_PG_URL", "postgresql://db.internal:6432/pages?sslmode=require",
                "SLUICE_PG_USER", "ingest",
                "SLUICE_PG_PASSWORD", "s3cret",
                "SLUICE_REDIS_URL", "redis://cache.internal:6380"));

        assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isEqualTo("kafka-1:9092,kafka-2:9092");
        assertThat(environment.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://db.internal:6432/pages?sslmode=require");
        assertThat(environment.getProperty("spring.datasource.username")).isEqualTo("ingest");
        assertThat(environment.getProperty("spring.datasource.password")).isEqualTo("s3cret");
        assertThat(environment.getProperty("spring.data.redis.url")).isEqualTo("redis://cache.internal:6380");

        ConnectionProperties bound = Binder.get(environment).bind("sluice", ConnectionProperties.class).get();
        assertThat(bound.pg().host()).isEqualTo("db.internal");
        assertThat(bound.pg().port()).isEqualTo(6432);
        assertThat(bound.pg().database()).isEqualTo("pages");
        assertThat(bound.pg().r2dbcUrl()).isEqualTo("r2dbc:postgresql://db.internal:6432/pages?sslmode=require");
        assertThat(bound.pg().toString()).doesNotContain("s3cret");
    }

    @Test
    void withoutAnyVariableTheDocumentedDefaultsApply() {
        StandardEnvironment environment = environment(Map.of());

        assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isEqualTo("localhost:9092");
        assertThat(environment.getProperty("spring.datasource.url")).isEqualTo("jdbc:postgresql://localhost:5432/sluice");
        assertThat(environment.getProperty("spring.datasource.username")).isEqualTo("sluice");
        assertThat(environment.getProperty("spring.datasource.password")).isEmpty();
        assertThat(environment.getProperty("spring.data.redis.url")).isEqualTo("redis://localhost:6379");
        assertThat(environment.getProperty("management.endpoints.web.exposure.include")).isEqualTo("health,info,prometheus");
    }

    @Test
    void anExplicitSpringSettingStillWins() {
        StandardEnvironment environment = environment(Map.of(
                "SLUICE_KAFKA_BOOTSTRAP", "kafka-1:9092", "SPRING_KAFKA_BOOTSTRAP_SERVERS", "override:9092"));

        assertThat(environment.getProperty("spring.kafka.bootstrap-servers")).isEqualTo("override:9092");
    }
}
