package dev.sluice.ingest.schema;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The schema, which the ingest worker owns ({@code sluice.ingest.schema.*}).
 *
 * @param migrateOnStart bring the database to this build's schema at start (default true). Several workers
 *     starting at once are safe: one migrates under an advisory lock, the others find it done. Turn it off to
 *     run migrations as a separate deployment step.
 */
@ConfigurationProperties("sluice.ingest.schema")
public record SchemaProperties(@DefaultValue("true") boolean migrateOnStart) {}
