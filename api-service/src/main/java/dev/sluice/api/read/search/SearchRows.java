package dev.sluice.api.read.search;

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
 * Full-text search over {@code page_search} (the GIN index), ranked by {@code ts_rank_cd} with the title weighing
 * more than the text, keyset-paginated on (rank, id), and a highlighted snippet made only for the rows returned.
 * The query is read as web search syntax ({@code websearch_to_tsquery}: words, "phrases", or, -exclusions), which
 * never fails on user input.
 */
@Component
class SearchRows {

    private static final String MATCHES = """
            WITH q AS (SELECT websearch_to_tsquery($1::regconfig, $2) AS query),
            hits AS (
                SELECT s.id, s.site, s.url, s.title, s.fetched_at, s.page_version, s.content, ts_rank_cd(s.document, q.query)::real AS rank
                FROM page_search s, q
                WHERE s.document @@ q.query %s)
            SELECT id, site, url, title, fetched_at, page_version, rank,
                   ts_headline($1::regconfig, content, (SELECT query FROM q),
                               'StartSel=<b>, StopSel=</b>, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
            FROM (SELECT * FROM hits %s ORDER BY rank DESC, id DESC LIMIT $3) page
            ORDER BY rank DESC, id DESC""";

    private final DatabaseClient db;
    private final SearchProperties properties;
    private final DatabaseReads bound;
    private final Counter reads;

    SearchRows(DatabaseClient db, DatabaseReads bound, SearchProperties properties, MeterRegistry meters) {
        this.db = db;
        this.bound = bound;
        this.properties = properties;
        this.reads = Counter.builder("sluice.api.database.reads").tag("kind", "search")
                .description("Reads that went to PostgreSQL, by kind").register(meters);
    }

    /** A keyset position in a ranking. */
    record Position(float rank, String id) {}

    record Hit(Position position, ObjectNode json) {}

    /** Up to {@code limit + 1} hits after {@code after} (or from the best), within {@code site} if not null. */
    Mono<List<Hit>> search(String query, String site, int limit, Position after) {
        return bound.bounded(Mono.defer(() -> {
            reads.increment();
            int next = 4;
            String siteFilter = site == null ? "" : "AND s.site = $" + next++;
            String keyset = after == null ? "" : "WHERE (rank, id) < ($" + next + "::real, $" + (next + 1) + ")";
            DatabaseClient.GenericExecuteSpec sql = db.sql(MATCHES.formatted(siteFilter, keyset))
                    .bind(0, properties.textSearchConfig()).bind(1, query).bind(2, limit + 1);
            int index = 3;
            if (site != null) {
                sql = sql.bind(index++, site);
            }
            if (after != null) {
                sql = sql.bind(index, after.rank()).bind(index + 1, after.id());
            }
            return sql.map(SearchRows::hit).all().collectList();
        }));
    }

    private static Hit hit(Readable row) {
        ObjectNode hit = Json.mapper().createObjectNode();
        String id = row.get(0, String.class);
        float rank = row.get(6, Float.class);
        hit.put("id", id);
        hit.put("site", row.get(1, String.class));
        hit.put("url", row.get(2, String.class));
        hit.put("title", row.get(3, String.class));
        hit.put("fetched_at", DateTimeFormatter.ISO_INSTANT.format(row.get(4, OffsetDateTime.class).toInstant()));
        hit.put("version", row.get(5, Long.class));
        hit.put("rank", rank);
        hit.put("snippet", row.get(7, String.class));
        return new Hit(new Position(rank, id), hit);
    }
}
