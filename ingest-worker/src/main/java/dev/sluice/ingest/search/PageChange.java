package dev.sluice.ingest.search;

import dev.sluice.core.json.Json;
import java.time.Instant;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * What the indexer needs from a {@code cdc.pages} record: which page changed and when the change committed.
 * Records are Debezium change events (JSON, schemas off): {@code {"before","after","source":{"table","ts_ms",
 * "lsn",…},"op":"c"|"u"|"d"|"r"}}. The indexer reads the page's current row itself rather than the event's
 * columns: pgoutput leaves unchanged TOASTed values (a large body) out of update events, and the current row is
 * what search must show anyway.
 *
 * @param id the page id
 * @param committedAt when the change committed in PostgreSQL (for the lag from commit to searchable)
 */
record PageChange(String id, Instant committedAt) {

    /** Not a page change this indexer can use, and why. */
    static final class Unusable extends Exception {
        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * @return the change, or null for records that are not about {@code pages} rows (heartbeats, other tables,
     *     Kafka tombstones that follow a delete event)
     */
    static PageChange parse(String key, byte[] value, String table) throws Unusable {
        if (value == null) {
            return null; // the tombstone Debezium writes after a delete, for log compaction
        }
        JsonNode event;
        try {
            event = Json.mapper().readTree(value);
        } catch (JacksonException e) {
            throw new Unusable("not JSON: " + e.getOriginalMessage());
        }
        JsonNode payload = event.has("payload") && event.has("schema") ? event.get("payload") : event; // schemas on or off
        JsonNode source = payload.path("source");
        if (!table.equals(source.path("table").asString(null))) {
            return null;
        }
        JsonNode row = payload.path("after").isObject() ? payload.get("after") : payload.path("before");
        String id = row.path("id").asString(null);
        if (id == null) {
            id = key;
        }
        if (id == null || id.isEmpty()) {
            throw new Unusable("a change of " + table + " without a page id");
        }
        long committedMillis = source.path("ts_ms").asLong(0);
        return new PageChange(id, committedMillis > 0 ? Instant.ofEpochMilli(committedMillis) : null);
    }
}
