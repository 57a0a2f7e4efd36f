package dev.sluice.core.cdc;

import dev.sluice.core.json.Json;
import dev.sluice.core.page.FastTimestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.function.BiConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

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
        Event event = new Event();
        try (JsonParser parser = Json.mapper().createParser(value)) {
            event.read(parser, parser.nextToken());
        } catch (JacksonException e) {
            throw new Unreadable("not JSON: " + e.getOriginalMessage());
        }
        if (!TABLE.equals(event.table)) {
            return null; // not a change of pages (such as a heartbeat's own record, or nothing of a change at all)
        }
        boolean rowDeleted = "d".equals(event.op);
        Row row = rowDeleted ? event.before : event.after;
        String id = row.id != null ? row.id : key;
        if (id == null || id.isEmpty()) {
            throw new Unreadable("a change of pages without a page id");
        }
        if (!rowDeleted && row.version == null) {
            throw new Unreadable("a change of page " + id + " without its version");
        }
        return new PageChangeEvent(id, rowDeleted ? null : row.version, row.site, !rowDeleted && row.deleted, rowDeleted,
                event.committedMillis > 0 ? Instant.ofEpochMilli(event.committedMillis) : null, fetchedAt(row.fetchedAt));
    }

    /**
     * The fields of an event this reads, in one pass over its tokens, and only those: an event carries the whole row
     * (the body is most of it), and building it as a tree, even filtered, was the invalidator's largest cost per
     * change. Skipped values are never decoded.
     */
    private static final class Event {
        String op;
        String table;
        long committedMillis;
        final Row before = new Row();
        final Row after = new Row();

        void read(JsonParser parser, JsonToken start) {
            forEachProperty(parser, start, (name, value) -> {
                switch (name) {
                    case "payload" -> read(parser, value); // the envelope with schemas: {"schema": …, "payload": {the event}}
                    case "op" -> op = value == JsonToken.VALUE_STRING ? parser.getString() : null;
                    case "before" -> before.read(parser, value);
                    case "after" -> after.read(parser, value);
                    case "source" -> forEachProperty(parser, value, (field, fieldValue) -> {
                        if (field.equals("table") && fieldValue == JsonToken.VALUE_STRING) {
                            table = parser.getString();
                        } else if (field.equals("ts_ms") && fieldValue.isNumeric()) {
                            committedMillis = parser.getLongValue();
                        } else {
                            parser.skipChildren();
                        }
                    });
                    default -> parser.skipChildren();
                }
            });
        }
    }

    /** What an event says of its row; every field null or false when the row is null or absent. */
    private static final class Row {
        String id;
        Long version;
        String site;
        boolean deleted;
        String fetchedAt;

        void read(JsonParser parser, JsonToken start) {
            forEachProperty(parser, start, (name, value) -> {
                switch (name) {
                    case "id" -> id = value == JsonToken.VALUE_STRING ? parser.getString() : null;
                    case "site" -> site = value == JsonToken.VALUE_STRING ? parser.getString() : null;
                    case "version" -> version = value.isNumeric() ? parser.getLongValue() : null;
                    case "deleted_at" -> deleted = value != JsonToken.VALUE_NULL;
                    case "fetched_at" -> fetchedAt = value == JsonToken.VALUE_STRING ? parser.getString() : null;
                    default -> parser.skipChildren();
                }
            });
        }
    }

    /**
     * Each property of the object that starts at {@code start}, by name, the parser at its value (which the action
     * reads or skips); a value that is not an object is skipped whole.
     */
    private static void forEachProperty(JsonParser parser, JsonToken start, BiConsumer<String, JsonToken> action) {
        if (start != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return;
        }
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            action.accept(name, parser.nextToken());
        }
    }

    /** Debezium sends timestamptz as ISO-8601 text (ZonedTimestamp), read by hand in its usual shape. */
    private static Instant fetchedAt(String value) {
        if (value == null) {
            return null;
        }
        Instant fast = FastTimestamp.parse(value);
        if (fast != null) {
            return fast;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
