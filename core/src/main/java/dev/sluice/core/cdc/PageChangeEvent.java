package dev.sluice.core.cdc;

import dev.sluice.core.json.Json;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.filter.FilteringParserDelegate;
import tools.jackson.core.filter.TokenFilter;
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
        try (JsonParser parser = new FilteringParserDelegate(Json.mapper().createParser(value), EventFields.EVENT,
                TokenFilter.Inclusion.INCLUDE_ALL_AND_PATH, true)) {
            event = Json.mapper().readTree(parser);
        } catch (JacksonException e) {
            throw new Unreadable("not JSON: " + e.getOriginalMessage());
        }
        if (event == null || event.isMissingNode()) {
            return null; // nothing of a change in it (such as a heartbeat's own record)
        }
        JsonNode payload = event.has("payload") ? event.get("payload") : event;
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

    /**
     * The fields this reads, and only those: an event carries the whole row (the body is most of it), and building it
     * as a tree was the invalidator's largest cost per change. Skipped values are never decoded.
     */
    private static final class EventFields extends TokenFilter {

        static final EventFields ROW = new EventFields(Set.of("id", "site", "version", "deleted_at", "fetched_at"), Map.of());
        static final EventFields SOURCE = new EventFields(Set.of("table", "ts_ms"), Map.of());
        static final EventFields EVENT = new EventFields(Set.of("op"), Map.of("before", ROW, "after", ROW, "source", SOURCE));

        private final Set<String> values;
        private final Map<String, TokenFilter> nested;

        private EventFields(Set<String> values, Map<String, TokenFilter> nested) {
            this.values = values;
            this.nested = nested;
        }

        @Override
        public TokenFilter includeProperty(String name) {
            if (this == EVENT && name.equals("payload")) {
                return this; // the envelope with schemas: {"schema": …, "payload": {the event}}
            }
            TokenFilter inside = nested.get(name);
            return inside != null ? inside : values.contains(name) ? TokenFilter.INCLUDE_ALL : null;
        }
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
