package dev.sluice.ingest.search;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.ingest.PageWrites;
import dev.sluice.store.search.Simhash;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import static dev.sluice.ingest.PageWrites.id;
import static dev.sluice.ingest.PageWrites.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The search indexer, fed the change events Debezium publishes for {@code pages} (JSON, schemas off): a page
 * becomes searchable by its visible words only, follows its changes, and leaves the index when deleted.
 */
@SharedStackTest
@SpringBootTest(properties = {
        "sluice.topics.pages.name=" + SearchIndexerIT.PAGES,
        "sluice.topics.pages-dead-letters.name=" + SearchIndexerIT.PAGES + ".dlq",
        "sluice.topics.cdc-pages.name=" + SearchIndexerIT.CDC,
        "sluice.ingest.group-id=ingest-search-it",
        "sluice.search.group-id=search-it"})
class SearchIndexerIT {

    static final String PAGES = "pages.search-it";
    static final String CDC = "cdc.pages.search-it";

    static PageWrites pages;
    static PageWrites changes;

    @Autowired
    DataSource dataSource;

    @Autowired
    MeterRegistry meters;

    @Autowired
    SearchReconciler reconciler;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    long generation(String key) {
        String value = redis.opsForValue().get(key);
        return value == null ? 0 : Long.parseLong(value);
    }

    @BeforeAll
    static void producers() {
        pages = new PageWrites(SharedStack.connections().kafkaBootstrap(), PAGES);
        changes = new PageWrites(SharedStack.connections().kafkaBootstrap(), CDC);
    }

    @AfterAll
    static void close() {
        pages.close();
        changes.close();
    }

    JdbcTemplate db() {
        return new JdbcTemplate(dataSource);
    }

    @Test
    void aPageIsFoundByItsVisibleWordsOnlyAndLeavesTheIndexWhenDeleted() {
        String url = "https://search.example/kestrel";
        long searchesBefore = generation(keys.searchGeneration());
        long siteSearchesBefore = generation(keys.siteSearchGeneration("search.example"));
        pages.upsert(PageWrites.page(url, "2026-11-20T10:00:00Z", "Falconry notes", """
                <html><head><title>ignored: a title was posted</title><script>var hidden = "zanzibar";</script>
                <style>.x{color:teal}</style></head><body data-note="ocelot"><h1>Kestrels</h1>
                <p>The kestrel hovers over meadows hunting voles.</p></body></html>"""));
        awaitRow(url, 1);
        changed(url, "u");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(search("meadow")).containsExactly(id(url)));
        assertThat(search("hover & vole")).as("stemmed: hovers, voles").containsExactly(id(url));
        assertThat(search("zanzibar")).as("a word inside a script").isEmpty();
        assertThat(search("teal")).as("a word inside a style").isEmpty();
        assertThat(search("ocelot")).as("a word inside a tag").isEmpty();
        assertThat(search("falconry")).as("the posted title is indexed").containsExactly(id(url));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(generation(keys.searchGeneration())).as("cached searches across sites retired").isGreaterThan(searchesBefore);
            assertThat(generation(keys.siteSearchGeneration("search.example"))).as("and the site's").isGreaterThan(siteSearchesBefore);
        });
        assertThat(meters.get("sluice.search.cache.retire.failures").counter().count()).isZero();

        pages.upsert(page(url, "2026-11-20T11:00:00Z", "<p>Now about peregrines.</p>"));
        awaitRow(url, 2);
        changed(url, "u");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(search("peregrine")).containsExactly(id(url)));
        assertThat(search("meadow")).isEmpty();

        pages.delete(url, "2026-11-20T12:00:00Z");
        awaitRow(url, 3);
        changed(url, "u");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(search("peregrine")).isEmpty());
        assertThat(db().queryForObject("SELECT count(*) FROM page_search WHERE id = ?", Long.class, id(url))).isZero();
        assertThat(meters.get("sluice.search.lag").timer().count()).isPositive();
    }

    @Test
    void anIndexOutOfStepWithPagesAsAfterAPointInTimeRestoreIsBroughtLevelAtStart() throws Exception {
        // rows no change event ever carried: a page restored from the archive, and an entry of a page the restore did not keep
        db().update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                VALUES (?, 'https://search.example/restored', 'search.example', 'Restored', '<p>an archipelago of lichens</p>', now(), 4, 0, 0)""",
                id("https://search.example/restored"));
        db().update("""
                INSERT INTO page_search (id, site, url, fetched_at, title, content, document, page_version, content_hash, indexed_at)
                VALUES (?, 'search.example', 'https://search.example/gone', now(), 'Gone', 'tundra', to_tsvector('english', 'tundra'), 1, NULL, now())""",
                id("https://search.example/gone"));
        assertThat(search("lichen")).isEmpty();

        assertThat(reconciler.reconcile()).isGreaterThanOrEqualTo(2);

        assertThat(search("lichen")).containsExactly(id("https://search.example/restored"));
        assertThat(search("tundra")).isEmpty();
        assertThat(reconciler.reconcile()).as("level: nothing left to do").isZero();
    }

    @Test
    void anUnchangedRecrawlMovesTheFetchTimeWithoutReindexing() {
        String url = "https://search.example/stable";
        pages.upsert(page(url, "2026-11-20T10:00:00Z", "<p>granite</p>"));
        awaitRow(url, 1);
        changed(url, "c");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(search("granite")).containsExactly(id(url)));
        double touchedBefore = meters.get("sluice.search.pages").tag("outcome", "touched").counter().count();

        pages.upsert(page(url, "2026-11-21T10:00:00Z", "<p>granite</p>"));
        awaitRow(url, 2);
        changed(url, "u");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                db().queryForObject("SELECT page_version FROM page_search WHERE id = ?", Long.class, id(url))).isEqualTo(2));
        assertThat(meters.get("sluice.search.pages").tag("outcome", "touched").counter().count()).isEqualTo(touchedBefore + 1);
    }

    @Test
    void aPageDeletedByHandLeavesTheIndexToo() {
        String url = "https://search.example/by-hand";
        pages.upsert(page(url, "2026-11-20T10:00:00Z", "<p>basalt</p>"));
        awaitRow(url, 1);
        changed(url, "c");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(search("basalt")).containsExactly(id(url)));

        db().update("DELETE FROM pages WHERE id = ?", id(url));
        changed(url, "d");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(search("basalt")).isEmpty());
    }

    @Test
    void nearDuplicatesOfASiteAreFingerprintedAndMarked() {
        String text = "<p>The harbour opens at dawn when the fishing boats return with their catch. Traders line the quay with"
                + " crates of mackerel, herring and crab, and the auction begins as soon as the first boat is tied up."
                + " Buyers from the inland towns arrive by cart and by train, and by noon most of the fish is on its way."
                + " In the afternoon the nets are mended and the hulls are scrubbed, ready for the next night at sea.</p>";
        String original = "https://dup.example/harbour";
        String copy = "https://dup.example/harbour-printable";
        String other = "https://dup.example/mountains";
        pages.upsert(page(original, "2026-11-20T10:00:00Z", text));
        awaitRow(original, 1);
        changed(original, "c");
        await().atMost(Duration.ofSeconds(30)).until(() -> fingerprinted(original));

        pages.upsert(page(copy, "2026-11-20T10:00:00Z", text.replace("by noon", "by eleven").replace("at sea.", "at sea. Printed today.")));
        pages.upsert(page(other, "2026-11-20T10:00:00Z", "<p>The mountain pass is closed in winter; walkers take the valley road"
                + " past the old mill, the chapel and the three farms, and reach the lake by evening.</p>"));
        awaitRow(copy, 1);
        awaitRow(other, 1);
        changed(copy, "c");
        changed(other, "c");
        await().atMost(Duration.ofSeconds(30)).until(() -> fingerprinted(copy) && fingerprinted(other));

        assertThat(db().queryForObject("SELECT duplicate_of FROM page_search WHERE id = ?", String.class, id(copy))).isEqualTo(id(original));
        assertThat(db().queryForObject("SELECT duplicate_of FROM page_search WHERE id = ?", String.class, id(other))).isNull();
        assertThat(db().queryForObject("SELECT simhash_distance(a.simhash, b.simhash) FROM page_search a, page_search b WHERE a.id = ? AND b.id = ?",
                Integer.class, id(original), id(copy))).isLessThanOrEqualTo(Simhash.NEAR);
    }

    @Test
    void entriesIndexedBeforeFingerprintsAreFingerprintedAtStart() throws Exception {
        String url = "https://dup.example/legacy";
        db().update("INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)"
                + " VALUES (?, ?, 'dup.example', 'Legacy', '<p>an old entry about tides</p>', now(), 1, 0, 0)", id(url), url);
        db().update("INSERT INTO page_search (id, site, url, fetched_at, title, content, document, page_version, content_hash, indexed_at)"
                + " SELECT id, site, url, fetched_at, title, 'an old entry about tides', to_tsvector('english', 'tides'), 1, content_hash, now()"
                + " FROM pages WHERE id = ?", id(url));
        assertThat(fingerprinted(url)).isFalse();

        reconciler.reconcile();

        assertThat(db().queryForObject("SELECT simhash FROM page_search WHERE id = ?", Long.class, id(url)))
                .isEqualTo(Simhash.of("an old entry about tides"));
    }

    private boolean fingerprinted(String url) {
        return !db().queryForList("SELECT simhash FROM page_search WHERE id = ? AND simhash IS NOT NULL", Long.class, id(url)).isEmpty();
    }

    private List<String> search(String query) {
        return db().queryForList("SELECT id FROM page_search WHERE document @@ to_tsquery('english', ?)", String.class, query);
    }

    private void awaitRow(String url, long version) {
        await().atMost(Duration.ofSeconds(30)).until(() ->
                db().queryForList("SELECT version FROM pages WHERE id = ?", Long.class, id(url)).contains(version));
    }

    /** What Debezium publishes for a change of the page's row (the indexer reads the row itself). */
    private static void changed(String url, String op) {
        String row = "{\"id\":\"" + id(url) + "\",\"version\":1,\"body\":\"__debezium_unavailable_value\"}";
        String event = "{\"before\":" + (op.equals("d") ? row : "null") + ",\"after\":" + (op.equals("d") ? "null" : row)
                + ",\"source\":{\"connector\":\"postgresql\",\"db\":\"sluice\",\"schema\":\"public\",\"table\":\"pages\",\"ts_ms\":"
                + System.currentTimeMillis() + ",\"lsn\":1},\"op\":\"" + op + "\",\"ts_ms\":" + System.currentTimeMillis() + "}";
        changes.send(id(url), event.getBytes(StandardCharsets.UTF_8));
    }
}
