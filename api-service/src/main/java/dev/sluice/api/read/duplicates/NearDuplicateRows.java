package dev.sluice.api.read.duplicates;

import dev.sluice.api.read.database.DatabaseReads;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.r2dbc.spi.Readable;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Near-duplicates from {@code page_search}: pages whose text fingerprint (a 64-bit simhash, stored by the search
 * indexer) is within {@link #MAX_DISTANCE} bits of a page's. The candidates share one of four 16-bit blocks with it
 * (a GIN index; any fingerprint within 3 bits must), at most {@link #MAX_CANDIDATES} of them, so a fingerprint
 * shared by a great many pages (a site's empty template) costs a bounded read.
 */
@Component
class NearDuplicateRows {

    static final int MAX_DISTANCE = 3;
    static final int MAX_CANDIDATES = 10_000;

    private static final String NEAR = """
            SELECT p.simhash, c.id, c.site, c.url, c.title, c.fetched_at, c.distance
            FROM page_search p
            LEFT JOIN LATERAL (
                SELECT o.id, o.site, o.url, o.title, o.fetched_at, simhash_distance(o.simhash, p.simhash) AS distance
                FROM (SELECT * FROM page_search o WHERE o.simhash_blocks && p.simhash_blocks AND o.id <> p.id LIMIT $2) o
                WHERE simhash_distance(o.simhash, p.simhash) <= $3
                ORDER BY distance, o.id
                LIMIT $4) c ON true
            WHERE p.id = $1""";

    /** A page's fingerprint (null: its text has no word) and its near-duplicates, nearest first. */
    record Near(Long fingerprint, List<Duplicate> duplicates) {}

    record Duplicate(String id, String site, String url, String title, OffsetDateTime fetchedAt, int distance) {}

    private final DatabaseClient db;
    private final DatabaseReads bound;
    private final Counter reads;

    NearDuplicateRows(DatabaseClient db, DatabaseReads bound, MeterRegistry meters) {
        this.db = db;
        this.bound = bound;
        this.reads = Counter.builder("sluice.api.database.reads").tag("kind", "near-duplicates")
                .description("Reads that went to PostgreSQL, by kind").register(meters);
    }

    /** Empty when the page is not in the search index (unknown, deleted, or not indexed yet). */
    Mono<Optional<Near>> of(String id, int limit) {
        return bound.bounded(Mono.defer(() -> {
            reads.increment();
            return db.sql(NEAR).bind(0, id).bind(1, MAX_CANDIDATES).bind(2, MAX_DISTANCE).bind(3, limit)
                    .map(NearDuplicateRows::row).all().collectList().map(NearDuplicateRows::near);
        }));
    }

    /** One row: the page's fingerprint, and a near-duplicate or none. */
    private record Row(Long fingerprint, Duplicate duplicate) {}

    private static Row row(Readable row) {
        String id = row.get(1, String.class);
        return new Row(row.get(0, Long.class), id == null ? null : new Duplicate(id, row.get(2, String.class),
                row.get(3, String.class), row.get(4, String.class), row.get(5, OffsetDateTime.class), row.get(6, Integer.class)));
    }

    private static Optional<Near> near(List<Row> rows) {
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        List<Duplicate> duplicates = new ArrayList<>(rows.size());
        rows.stream().map(Row::duplicate).filter(java.util.Objects::nonNull).forEach(duplicates::add);
        return Optional.of(new Near(rows.get(0).fingerprint(), duplicates));
    }
}
