package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.json.Json;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What the cache needs from a change event of {@code pages} (Debezium JSON): the page's new version and its site.
 * A row deleted outright (by hand: the pipeline only tombstones) carries neither: its version is
 * {@link PageCacheProtocol#UNVERSIONED_DELETE_FENCE} and its site comes from the topology's memory of the page.
 *
 * @param site the page's site, or null when the event does not say
 * @param committedAt the change's commit time in PostgreSQL, for the invalidation lag
 */
record PageChanged(long version, String site, boolean removed, Instant committedAt) {

    boolean versioned() {
        return version != PageCacheProtocol.UNVERSIONED_DELETE_FENCE;
    }

    /** @return the change, or null for a record that is not a change of a page row (a Kafka tombstone, garbage) */
    static PageChanged parse(byte[] value) {
        if (value == null) {
            return null;
        }
        JsonNode event;
        try {
            event = Json.mapper().readTree(value);
        } catch (JacksonException e) {
            return null;
        }
        JsonNode payload = event.has("payload") && event.has("schema") ? event.get("payload") : event;
        String op = payload.path("op").asString("");
        Instant committedAt = payload.path("source").has("ts_ms") ? Instant.ofEpochMilli(payload.path("source").path("ts_ms").asLong()) : null;
        if (op.equals("d")) {
            return new PageChanged(PageCacheProtocol.UNVERSIONED_DELETE_FENCE, null, true, committedAt);
        }
        JsonNode after = payload.path("after");
        if (!after.isObject() || !after.has("version")) {
            return null;
        }
        String site = after.path("site").isString() ? after.get("site").asString() : null;
        boolean tombstone = after.hasNonNull("deleted_at");
        return new PageChanged(after.get("version").asLong(), site, tombstone, committedAt);
    }
}
