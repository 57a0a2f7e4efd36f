package dev.sluice.api.read.changes;

import dev.sluice.api.read.database.DatabaseReads;
import dev.sluice.core.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Readable;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * The changed pages after a position, in {@code (change_xid, id)} order, of transactions that have all ended: those
 * below the reading snapshot's xmin (migration V11 says why that leaves no gap). The index
 * {@code pages_change_order} answers without sorting or skipping.
 */
@Component
class ChangeRows {

    private static final String COLUMNS = "SELECT id, url, site, version, fetched_at, deleted_at, change_xid FROM pages ";
    private static final String ENDED = "change_xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint AND (change_xid, id) > ($1, $2) ";
    private static final String ALL = COLUMNS + "WHERE " + ENDED + "ORDER BY change_xid, id LIMIT $3";
    private static final String OF_SITE = COLUMNS + "WHERE " + ENDED + "AND site = $4 ORDER BY change_xid, id LIMIT $3";

    private final DatabaseClient db;
    private final DatabaseReads bound;
    private final Counter reads;

    ChangeRows(DatabaseClient db, DatabaseReads bound, MeterRegistry meters) {
        this.db = db;
        this.bound = bound;
        this.reads = Counter.builder("sluice.api.database.reads").tag("kind", "changes")
                .description("Reads that went to PostgreSQL, by kind").register(meters);
    }

    /** A position in the feed: the transaction that changed a page, and the page. */
    record Position(long changeXid, String id) {
        static final Position START = new Position(0, "");
    }

    record Change(Position position, ObjectNode json) {}

    Mono<List<Change>> after(Position after, int limit, String site) {
        return bound.bounded(Mono.defer(() -> {
            reads.increment();
            DatabaseClient.GenericExecuteSpec query = db.sql(site == null ? ALL : OF_SITE)
                    .bind(0, after.changeXid()).bind(1, after.id()).bind(2, limit);
            return (site == null ? query : query.bind(3, site)).map(ChangeRows::change).all().collectList();
        }));
    }

    private static Change change(Readable row) {
        ObjectNode change = Json.mapper().createObjectNode();
        String id = row.get(0, String.class);
        OffsetDateTime deletedAt = row.get(5, OffsetDateTime.class);
        change.put("id", id);
        change.put("op", deletedAt == null ? "upsert" : "delete");
        change.put("url", row.get(1, String.class));
        change.put("site", row.get(2, String.class));
        change.put("version", row.get(3, Long.class));
        change.put("fetched_at", DateTimeFormatter.ISO_INSTANT.format(row.get(4, OffsetDateTime.class).toInstant()));
        if (deletedAt != null) {
            change.put("deleted_at", DateTimeFormatter.ISO_INSTANT.format(deletedAt.toInstant()));
        }
        return new Change(new Position(row.get(6, Long.class), id), change);
    }
}
