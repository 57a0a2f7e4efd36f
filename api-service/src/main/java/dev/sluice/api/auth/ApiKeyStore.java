package dev.sluice.api.auth;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.core.apikey.ApiKeyFormat;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Verifies presented keys against the stored hashes. Keys are looked up by their public id and remembered, unknown
 * ids included, so a flood of bad keys does not reach PostgreSQL. After {@link AuthProperties#cacheTtl()} a key
 * in use is looked up again in the background while its last answer still serves; if PostgreSQL cannot answer,
 * that answer goes on serving for up to {@link AuthProperties#maxStale()} more: writes are accepted through a
 * database outage (they only need Kafka), and a revocation still takes effect within the TTL when it can be read.
 */
@Component
class ApiKeyStore {

    private static final String BY_ID = """
            SELECT id, name, secret_hash, scopes, rate_per_second, burst
            FROM api_keys WHERE id = :id AND revoked_at IS NULL""";

    private record StoredKey(ApiKey key, byte[] hash) {}

    private final AsyncLoadingCache<String, Optional<StoredKey>> keys;

    ApiKeyStore(DatabaseClient database, AuthProperties properties) {
        this.keys = Caffeine.newBuilder()
                .refreshAfterWrite(properties.cacheTtl())
                .expireAfterWrite(properties.cacheTtl().plus(properties.maxStale()))
                .maximumSize(100_000)
                .buildAsync((id, executor) -> database.sql(BY_ID)
                        .bind("id", id)
                        .map(row -> new StoredKey(
                                new ApiKey(row.get("id", String.class), row.get("name", String.class),
                                        Set.copyOf(Arrays.asList(row.get("scopes", String[].class))),
                                        row.get("rate_per_second", Integer.class), row.get("burst", Integer.class)),
                                byteArray(row.get("secret_hash"))))
                        .one()
                        .map(Optional::of)
                        .defaultIfEmpty(Optional.empty())
                        .toFuture());
    }

    /** The key, if the text is a known, unrevoked key; an error if the store cannot be reached. */
    Mono<Optional<ApiKey>> authenticate(String presented) {
        Optional<ApiKeyFormat.PresentedKey> parsed = ApiKeyFormat.parse(presented);
        if (parsed.isEmpty()) {
            return Mono.just(Optional.empty());
        }
        ApiKeyFormat.PresentedKey key = parsed.get();
        return Mono.fromFuture(() -> keys.get(key.id()))
                .map(stored -> stored.filter(s -> ApiKeyFormat.matches(key.hash(), s.hash())).map(StoredKey::key));
    }

    private static byte[] byteArray(Object value) {
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof java.nio.ByteBuffer buffer) {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            return bytes;
        }
        throw new IllegalStateException("unexpected type for secret_hash: " + value);
    }
}
