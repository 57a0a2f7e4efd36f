package dev.sluice.store.schema;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema ({@code db/migration/sluice}). The ingest worker runs it at start; every other
 * component only reads the version. Safe when several instances start at once: Flyway holds a PostgreSQL
 * advisory lock while it migrates, so one applies and the others find the work done.
 */
public final class SchemaMigrator {

    public static final String LOCATION = "classpath:db/migration/sluice";
    /**
     * The newest migration of this build. Components without JDBC (the API) compare the database against it;
     * a test keeps it equal to the newest file in {@link #LOCATION}.
     */
    public static final String LATEST_VERSION = "13";

    /** The publication the CDC connector reads; created by the migrations. */
    public static final String PUBLICATION = "sluice_cdc";

    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    /** For reading the version: fails fast when the database is unreachable (health checks call it). */
    private final Flyway flyway;
    /** For migrating at start: waits for a database that is still starting (retries with backoff, ~2 minutes). */
    private final Flyway patientFlyway;
    private final DataSource dataSource;

    public SchemaMigrator(DataSource dataSource) {
        this.dataSource = dataSource;
        this.flyway = configure(dataSource).load();
        this.patientFlyway = configure(dataSource).connectRetries(8).load();
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration configure(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations(LOCATION)
                .table("schema_history")
                .failOnMissingLocations(true);
    }

    /** Brings the schema to the newest version; returns how many migrations this call applied. */
    public int migrate() {
        MigrateResult result = patientFlyway.migrate();
        log.info("Schema at version {} ({} migration(s) applied by this instance)",
                result.targetSchemaVersion != null ? result.targetSchemaVersion : currentVersion(),
                result.migrationsExecuted);
        return result.migrationsExecuted;
    }

    /** Brings the schema to {@code version} exactly (a restore loads rows into the schema they were taken from). */
    public int migrateTo(String version) {
        return configure(dataSource).target(version).load().migrate().migrationsExecuted;
    }

    /** The applied version, or null on an empty database. */
    public String currentVersion() {
        MigrationInfo current = flyway.info().current();
        return current == null ? null : current.getVersion().getVersion();
    }

    /** The version this build's migrations lead to. */
    public String latestVersion() {
        MigrationInfo[] all = flyway.info().all();
        return all.length == 0 ? null : all[all.length - 1].getVersion().getVersion();
    }

    /** Whether the database is at this build's version (other components wait for it). */
    public boolean isUpToDate() {
        return flyway.info().pending().length == 0 && currentVersion() != null;
    }
}
