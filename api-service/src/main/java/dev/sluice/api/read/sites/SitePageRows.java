package dev.sluice.api.read.sites;

import dev.sluice.api.read.database.DatabaseReads;
import dev.sluice.core.json.Json;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Readable;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * A site's live pages, newest fetch first, one keyset page at a time: {@code (fetched_at, id)} below the cursor's,
 * which the index {@code pages_site_keyset} answers without sorting or skipping (any page is as cheap as the
 * first). Items are summaries; the page itself is {@code GET /v1/pages/{id}}.
 */
@Component
class SitePageRows {

    private static final String COLUMNS = "SELECT id, url, title, status, content_type, fetched_at, version, site FROM pages ";
    private static final String FIRST = COLUMNS + """
            WHERE site = $1 AND deleted_at IS NULL ORDER BY fetched_at DESC, id DESC LIMIT $2""";
    private static final String AFTER = COLUMNS + """
            WHERE site = $1 AND deleted_at IS NULL AND (fetched_at, id) < ($3, $4) ORDER BY fetched_at DESC, id DESC LIMIT $2""";

    private final DatabaseClient db;
    private final DatabaseReads bound;
    private final Counter reads;

    SitePageRows(DatabaseClient db, DatabaseReads bound, MeterRegistry meters) {
        this.db = db;
        this.bound = bound;
        this.reads = Counter.builder("sluice.api.database.reads").tag("kind", "list")
                .description("Reads that went to PostgreSQL, by kind").register(meters);
    }

    /** Up to {@code limit + 1} items after {@code after} (or from the newest): the extra one tells there is more. */
    Mono<List<Item>> page(String site, int limit, Position after) {
        return bound.bounded(Mono.defer(() -> {
            reads.increment();
            DatabaseClient.GenericExecuteSpec query = after == null
                    ? db.sql(FIRST).bind(0, site).bind(1, limit + 1)
                    : db.sql(AFTER).bind(0, site).bind(1, limit + 1)
                            .bind(2, after.fetchedAt().atOffset(ZoneOffset.UTC)).bind(3, after.id());
            return query.map(SitePageRows::item).all().collectList();
        }));
    }

    /** A keyset position: a fetch time (microseconds, as PostgreSQL keeps it) and a page id. */
    record Position(Instant fetchedAt, String id) {}

    /** One list item: its position and its JSON. */
    record Item(Position position, ObjectNode json) {}

    private static Item item(Readable row) {
        Instant fetchedAt = row.get(5, OffsetDateTime.class).toInstant();
        ObjectNode item = Json.mapper().createObjectNode();
        item.put("id", row.get(0, String.class));
        item.put("site", row.get(7, String.class));
        item.put("url", row.get(1, String.class));
        item.put("title", row.get(2, String.class));
        Integer status = row.get(3, Integer.class);
        if (status != null) {
            item.put("status", status);
        }
        item.put("content_type", row.get(4, String.class));
        item.put("fetched_at", DateTimeFormatter.ISO_INSTANT.format(fetchedAt));
        item.put("version", row.get(6, Long.class));
        return new Item(new Position(fetchedAt, row.get(0, String.class)), item);
    }
}
