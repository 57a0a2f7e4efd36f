package dev.sluice.core.cdc;

import dev.sluice.core.json.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A record of {@code cdc.pages}, as its readers (the search indexer, the cache invalidator) need it. The value is a
 * Debezium change event (JSON, schemas off or on): {@code {"before","after","source":{"table","ts_ms","lsn",…},
 * "op":"c"|"u"|"d"|"r"}}, keyed by page id. Only what every reader can rely on is read: pgoutput leaves unchanged
 * TOASTed values (a large body) out of update events, and a row deleted outright (by hand; the pipeline only
 * tombstones) has nothing but its key in {@code before}.
 *
 * @param id the page id
 * @param version {@code pages.version} after the change, or null for a row deleted outright
 * @param site the page's site after the change, or null when the event does not say
 * @param tombstoned the row is now a tombstone (the pipeline's delete)
 * @param rowDeleted the row itself was deleted ({@code op = d})
 * @param committedAt when the change committed in PostgreSQL, or null if the event does not say
 * @param fetchedAt the page's fetch time after the change, or null when the event does not say
 */
public record PageChangeEvent(String id, Long version, String site, boolean tombstoned, boolean rowDeleted, Instant committedAt,
        Instant fetchedAt) {

    /** The table whose changes {@code cdc.pages} carries. */
    public static final String TABLE = "pages";

    /** A record that claims to be a change of {@code pages} but cannot be read as one. */
    public static final class Unreadable extends Exception {
        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Whether the page is gone for readers, either way. */
    public boolean absent() {
        return tombstoned || rowDeleted;
    }

    /**
     * @param key the record key (the page id; used when the event's row does not name it)
     * @return the change, or null for records that are not changes of {@code pages} rows (the Kafka tombstone that
     *     follows a delete, heartbeats, other tables)
     * @throws Unreadable for a record that is not JSON, or a change of pages without an id or version
     */
    public static PageChangeEvent read(String key, byte[] value) throws Unreadable {
        if (value == null) {
            return null;
        }
        JsonNode event;
        try {
            event = Json.mapper().readTree(value);
        } catch (JacksonException e) {
            throw new Unreadable("not JSON: " + e.getOriginalMessage());
        }
        JsonNode payload = event.has("payload") && event.has("schema") ? event.get("payload") : event;
        JsonNode source = payload.path("source");
        if (!TABLE.equals(source.path("table").asString(null))) {
            return null;
        }
        boolean rowDeleted = "d".equals(payload.path("op").asString(""));
        JsonNode row = rowDeleted ? payload.path("before") : payload.path("after");
        String id = row.path("id").isString() ? row.get("id").asString() : key;
        if (id == null || id.isEmpty()) {
            throw new Unreadable("a change of pages without a page id");
        }
        Long version = null;
        if (!rowDeleted) {
            if (!row.path("version").isNumber()) {
                throw new Unreadable("a change of page " + id + " without its version");
            }
            version = row.get("version").asLong();
        }
        String site = row.path("site").isString() ? row.get("site").asString() : null;
        long committedMillis = source.path("ts_ms").asLong(0);
        return new PageChangeEvent(id, version, site, !rowDeleted && row.hasNonNull("deleted_at"), rowDeleted,
                committedMillis > 0 ? Instant.ofEpochMilli(committedMillis) : null, fetchedAt(row.path("fetched_at")));
    }

    /** Debezium sends timestamptz as ISO-8601 text (ZonedTimestamp). */
    private static Instant fetchedAt(JsonNode value) {
        if (!value.isString()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.asString()).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
