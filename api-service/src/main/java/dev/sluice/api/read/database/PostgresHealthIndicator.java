package dev.sluice.api.read.database;

import dev.sluice.store.schema.SchemaMigrator;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The {@code postgres} health component: up when PostgreSQL answers and its schema is at this build's version
 * (the ingest worker migrates it; until then the API is not ready).
 */
@Component("postgresHealthIndicator")
class PostgresHealthIndicator extends AbstractReactiveHealthIndicator {

    private static final String CURRENT_VERSION =
            "SELECT version FROM schema_history WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1";

    private final DatabaseClient database;

    PostgresHealthIndicator(DatabaseClient database) {
        super("PostgreSQL health check failed");
        this.database = database;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        return database.sql(CURRENT_VERSION)
                .map(row -> row.get(0, String.class))
                .one()
                .map(version -> (SchemaMigrator.LATEST_VERSION.equals(version) ? builder.up() : builder.outOfService())
                        .withDetail("schema", version).build())
                .onErrorResume(e -> Mono.just(builder.down().withDetail("error", e.getClass().getSimpleName()).build()))
                .defaultIfEmpty(builder.outOfService().withDetail("schema", "none").build())
                .timeout(Duration.ofSeconds(2), Mono.just(builder.down().withDetail("error", "timeout").build()));
    }
}
