package dev.sluice.platform.health;

import dev.sluice.store.schema.SchemaMigrator;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * The {@code schema} health component: up once the database is at this build's schema version. Only the ingest
 * worker migrates; every other service waits (not ready) until it has.
 */
public final class SchemaHealthIndicator extends AbstractHealthIndicator {

    private final SchemaMigrator migrator;
    private volatile boolean upToDate;

    public SchemaHealthIndicator(SchemaMigrator migrator) {
        super("Schema check failed");
        this.migrator = migrator;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (!upToDate) {
            upToDate = migrator.isUpToDate(); // once up to date, it stays so for this build
        }
        builder.status(upToDate ? org.springframework.boot.health.contributor.Status.UP
                        : org.springframework.boot.health.contributor.Status.OUT_OF_SERVICE)
                .withDetail("expected", migrator.latestVersion());
        if (!upToDate) {
            builder.withDetail("current", String.valueOf(migrator.currentVersion()));
        }
    }
}
