package dev.sluice.api.read;

import dev.sluice.api.read.database.DatabaseReads;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.StoredBody;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Readable;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/** Reads one page from PostgreSQL (R2DBC): what a cache miss costs. */
@Component
class PageRows {

    private static final String BY_ID = """
            SELECT id, url, site, title, body, content_type, status, fetched_at, metadata::text, version, deleted_at IS NOT NULL,
                   body_zstd
            FROM pages WHERE id = $1""";

    private final DatabaseClient db;
    private final DatabaseReads bound;
    private final Counter reads;

    PageRows(DatabaseClient db, DatabaseReads bound, MeterRegistry meters) {
        this.db = db;
        this.bound = bound;
        this.reads = Counter.builder("sluice.api.database.reads").tag("kind", "page")
                .description("Reads that went to PostgreSQL, by kind").register(meters);
    }

    Mono<StoredPage> byId(String id) {
        return bound.bounded(Mono.fromRunnable(reads::increment).then(db.sql(BY_ID).bind(0, id).map(PageRows::render).one().defaultIfEmpty(StoredPage.absent(0))));
    }

    private static StoredPage render(Readable row) {
        long version = row.get(9, Long.class);
        if (Boolean.TRUE.equals(row.get(10, Boolean.class))) {
            return StoredPage.absent(version);
        }
        ObjectNode page = Json.mapper().createObjectNode();
        page.put("id", row.get(0, String.class));
        page.put("url", row.get(1, String.class));
        page.put("site", row.get(2, String.class));
        page.put("fetched_at", DateTimeFormatter.ISO_INSTANT.format(row.get(7, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC)));
        Integer status = row.get(6, Integer.class);
        if (status != null) {
            page.put("status", status);
        }
        page.put("title", row.get(3, String.class));
        page.put("content_type", row.get(5, String.class));
        page.put("body", StoredBody.text(row.get(4, String.class), row.get(11, byte[].class)));
        page.set("metadata", Json.mapper().readTree(row.get(8, String.class)));
        page.put("version", version);
        return new StoredPage(version, Json.mapper().writeValueAsBytes(page));
    }
}
