package dev.sluice.api.auth;

import dev.sluice.core.apikey.ApiKeyFormat;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.util.retry.Retry;

/**
 * For the local run only: installs {@link AuthProperties#devKey()} as the key {@code local-dev}, so the README's
 * examples work as written. Retries until the schema exists (the ingest worker creates it).
 */
@Component
class DevKeyInstaller {

    private static final Logger log = LoggerFactory.getLogger(DevKeyInstaller.class);
    private static final String UPSERT = """
            INSERT INTO api_keys (id, name, secret_hash, scopes, rate_per_second, burst)
            VALUES (:id, 'local-dev', :hash, ARRAY['read', 'write'], 100000, 200000)
            ON CONFLICT (name) DO UPDATE SET id = excluded.id, secret_hash = excluded.secret_hash, revoked_at = NULL""";

    private final DatabaseClient database;
    private final AuthProperties properties;

    DevKeyInstaller(DatabaseClient database, AuthProperties properties) {
        this.database = database;
        this.properties = properties;
    }

    @EventListener(ApplicationReadyEvent.class)
    void install() {
        if (properties.devKey() == null || properties.devKey().isBlank()) {
            return;
        }
        ApiKeyFormat.PresentedKey key = ApiKeyFormat.parse(properties.devKey())
                .orElseThrow(() -> new IllegalArgumentException("sluice.api.auth.dev-key is not an API key (slk_<8>_<32>)"));
        database.sql(UPSERT).bind("id", key.id()).bind("hash", key.hash()).then()
                .retryWhen(Retry.fixedDelay(90, Duration.ofSeconds(2)))
                .subscribe(done -> { }, error -> log.error("Could not install the local development key", error),
                        () -> log.info("Development API key 'local-dev' installed (id {})", key.id()));
    }
}
