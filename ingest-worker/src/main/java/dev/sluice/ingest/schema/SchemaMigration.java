package dev.sluice.ingest.schema;

import dev.sluice.store.schema.SchemaMigrator;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/** Migrates the schema while the context starts, before any listener can write to it. */
@Component
class SchemaMigration implements InitializingBean {

    private final SchemaMigrator migrator;
    private final SchemaProperties properties;

    SchemaMigration(SchemaMigrator migrator, SchemaProperties properties) {
        this.migrator = migrator;
        this.properties = properties;
    }

    @Override
    public void afterPropertiesSet() {
        if (properties.migrateOnStart()) {
            migrator.migrate();
        }
    }
}
