package dev.sluice.store.apply;

import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import static dev.sluice.store.apply.TestPages.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One batch, one transaction, straight against PostgreSQL: the apply path without Kafka in the way. */
@SharedStackTest
class BatchApplierIT {

    /** A page's body, whichever way its row stores it. */
    private static final RowMapper<String> BODY = (row, n) -> StoredBody.read(row);

    static PGSimpleDataSource dataSource;

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(BatchApplierIT.class);
        dataSource = connections.dataSource();
        new SchemaMigrator(dataSource).migrate();
    }

    final JdbcTemplate db = new JdbcTemplate(dataSource);

    @Test
    void aPageThatPostgresRefusesIsHandedOverAndTheRestOfTheBatchCommits() {
        BatchApplier applier = new BatchApplier(dataSource, "group-refusal", "topic-refusal");
        List<PageWrite> writes = List.of(
                write(page("https://refusal.example/1", "2026-11-20T10:00:00Z", "one"), 0, 10),
                write(page("https://refusal.example/zero", "0000-01-01T00:00:00Z", "year zero"), 0, 11),
                write(page("https://refusal.example/2", "2026-11-20T10:00:00Z", "two"), 1, 20));
        List<PageWrite> refused = new ArrayList<>();
        List<String> reasons = new ArrayList<>();

        BatchApplier.Result result = applier.apply(BatchCoalescer.coalesce(writes), Map.of(0, 12L, 1, 21L), (pages, reason) -> {
            refused.addAll(pages);
            reasons.add(reason);
        });

        assertThat(result).isEqualTo(new BatchApplier.Result(0, 2, 0, 1));
        assertThat(refused).containsExactly(writes.get(1));
        assertThat(reasons).singleElement().asString().startsWith("PostgreSQL refused the page").contains("SQL state 22");
        assertThat(db.query("SELECT body, body_zstd FROM pages WHERE site = 'refusal.example'", (row, n) -> StoredBody.read(row)))
                .containsExactlyInAnyOrder("one", "two");
        assertThat(db.queryForList("SELECT next_offset FROM consumer_positions WHERE consumer_group = 'group-refusal' ORDER BY partition",
                Long.class)).containsExactly(12L, 21L);
    }

    @Test
    void ifTheHandOverFailsNothingOfTheBatchCommits() {
        BatchApplier applier = new BatchApplier(dataSource, "group-handover", "topic-handover");
        List<PageWrite> writes = List.of(
                write(page("https://handover.example/1", "2026-11-20T10:00:00Z", "one"), 0, 10),
                write(page("https://handover.example/zero", "0000-01-01T00:00:00Z", "year zero"), 0, 11));

        assertThatThrownBy(() -> applier.apply(BatchCoalescer.coalesce(writes), Map.of(0, 12L), (pages, reason) -> {
            throw new IllegalStateException("the dead-letter topic is unreachable");
        })).hasMessageContaining("unreachable");

        assertThat(db.queryForObject("SELECT count(*) FROM pages WHERE site = 'handover.example'", Long.class)).isZero();
        assertThat(db.queryForObject("SELECT count(*) FROM consumer_positions WHERE consumer_group = 'group-handover'", Long.class)).isZero();
    }

    @Test
    void theDatabaseDownIsTransientNotPoison() {
        PGSimpleDataSource unreachable = new PGSimpleDataSource();
        unreachable.setUrl("jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=1");
        BatchApplier applier = new BatchApplier(unreachable, "group", "topic");
        List<PageWrite> refused = new ArrayList<>();

        assertThatThrownBy(() -> applier.apply(BatchCoalescer.coalesce(List.of(
                write(page("https://down.example/", "2026-11-20T10:00:00Z", "x"), 0, 1))), Map.of(0, 2L), (pages, reason) -> refused.addAll(pages)))
                .isInstanceOf(TransientApplyException.class);
        assertThat(refused).isEmpty();
    }

    @Test
    void bodiesAreStoredCompressedByTheWorkerAndAnUnchangedReCrawlKeepsTheStoredFrame() {
        BatchApplier applier = new BatchApplier(dataSource, "group-zstd", "topic-zstd");
        String url = "https://zstd.example/page";
        String body = "<html><body>" + "<p>un été à Paris 🚀</p>".repeat(300) + "</body></html>";
        apply(applier, write(page(url, "2026-11-20T10:00:00Z", body), 0, 0));

        Map<String, Object> stored = db.queryForMap("SELECT body, body_zstd, octet_length(body_zstd) AS size FROM pages WHERE id = ?", TestPages.id(url));
        assertThat(stored.get("body")).as("no text copy").isNull();
        assertThat(StoredBody.text(null, (byte[]) stored.get("body_zstd"))).isEqualTo(body);
        assertThat((Integer) stored.get("size")).as("compressed").isLessThan(body.length() / 10);

        apply(applier, write(page(url, "2026-11-20T11:00:00Z", body), 0, 1));
        assertThat(db.queryForObject("SELECT body_zstd FROM pages WHERE id = ?", byte[].class, TestPages.id(url)))
                .as("an unchanged re-crawl keeps the stored value").isEqualTo(stored.get("body_zstd"));

        apply(applier, new PageWrite(PageEnvelope.delete(TestPages.id(url), Instant.parse("2026-11-20T12:00:00Z"), "test"), 0, 2));
        assertThat(db.queryForMap("SELECT body, body_zstd FROM pages WHERE id = ?", TestPages.id(url)))
                .as("a tombstone keeps no body").containsEntry("body", null).containsEntry("body_zstd", null);
    }

    @Test
    void aRowStoredAsTextBeforeCompressionIsReplacedByAFrameWhenItsContentChangesAndKeptWhenItDoesNot() {
        String url = "https://zstd.example/older-row";
        new BatchApplier(dataSource, "group-text", "topic-text", "pages", BodyStorage.TEXT)
                .apply(BatchCoalescer.coalesce(List.of(write(page(url, "2026-11-20T10:00:00Z", "<p>as text</p>"), 0, 0))), Map.of(0, 1L),
                        (pages, reason) -> {
                            throw new AssertionError(reason);
                        });
        assertThat(db.queryForMap("SELECT body, body_zstd FROM pages WHERE id = ?", TestPages.id(url)))
                .as("a writer told to store text").containsEntry("body", "<p>as text</p>").containsEntry("body_zstd", null);

        BatchApplier compressing = new BatchApplier(dataSource, "group-text", "topic-text");
        apply(compressing, write(page(url, "2026-11-20T11:00:00Z", "<p>as text</p>"), 0, 1));
        assertThat(db.queryForMap("SELECT body, body_zstd FROM pages WHERE id = ?", TestPages.id(url)))
                .as("unchanged: the text stays, not rewritten").containsEntry("body", "<p>as text</p>").containsEntry("body_zstd", null);

        apply(compressing, write(page(url, "2026-11-20T12:00:00Z", "<p>changed</p>"), 0, 2));
        assertThat(db.queryForObject("SELECT body IS NULL FROM pages WHERE id = ?", Boolean.class, TestPages.id(url))).isTrue();
        assertThat(db.queryForObject("SELECT body, body_zstd FROM pages WHERE id = ?", BODY, TestPages.id(url))).isEqualTo("<p>changed</p>");
    }

    @Test
    void aRowCannotHoldItsBodyTwice() {
        assertThatThrownBy(() -> db.update("""
                INSERT INTO pages (id, url, site, body, body_zstd, fetched_at, version, source_partition, source_offset)
                VALUES (md5('twice'), 'https://zstd.example/twice', 'zstd.example', 'text', '\\x00', now(), 1, 0, 0)"""))
                .hasMessageContaining("pages_one_body");
    }

    /**
     * A client's clock may run up to 5 minutes ahead of the API's, which stamps deletes: a delete accepted after a
     * fetch stamped ahead still deletes the page (ordered by acceptance), and takes that fetch's time, so an older
     * fetch accepted later does not resurrect it while a newer one does.
     */
    @Test
    void aDeleteAcceptedAfterAFetchStampedAheadOfTheApiClockDeletesThePage() {
        BatchApplier applier = new BatchApplier(dataSource, "group-skew", "topic-skew");
        String url = "https://skew.example/page";
        Instant api = Instant.parse("2026-11-20T10:00:00Z");
        apply(applier, write(page(url, api.plus(Duration.ofMinutes(4)).toString(), "from a clock 4 minutes ahead"), 0, 0));

        apply(applier, new PageWrite(PageEnvelope.delete(TestPages.id(url), api.plusSeconds(1), "test"), 0, 1));

        assertThat(db.queryForObject("SELECT deleted_at FROM pages WHERE id = ?", Timestamp.class, TestPages.id(url)).toInstant())
                .as("deleted, at the time of the fetch it deletes").isEqualTo(api.plus(Duration.ofMinutes(4)));
        apply(applier, write(page(url, api.plus(Duration.ofMinutes(2)).toString(), "an older fetch, accepted later"), 0, 2));
        assertThat(db.queryForObject("SELECT deleted_at IS NOT NULL FROM pages WHERE id = ?", Boolean.class, TestPages.id(url))).isTrue();
        apply(applier, write(page(url, api.plus(Duration.ofMinutes(6)).toString(), "a newer fetch"), 0, 3));
        assertThat(db.queryForObject("SELECT body, body_zstd FROM pages WHERE id = ? AND deleted_at IS NULL", BODY, TestPages.id(url)))
                .isEqualTo("a newer fetch");

        // the same four writes in one batch end the same way
        String again = "https://skew.example/one-batch";
        apply(applier, write(page(again, api.plus(Duration.ofMinutes(4)).toString(), "ahead"), 1, 0),
                new PageWrite(PageEnvelope.delete(TestPages.id(again), api.plusSeconds(1), "test"), 1, 1),
                write(page(again, api.plus(Duration.ofMinutes(2)).toString(), "older, later"), 1, 2));
        assertThat(db.queryForObject("SELECT deleted_at FROM pages WHERE id = ?", Timestamp.class, TestPages.id(again)).toInstant())
                .isEqualTo(api.plus(Duration.ofMinutes(4)));
    }

    private static void apply(BatchApplier applier, PageWrite... writes) {
        Map<Integer, Long> next = new java.util.HashMap<>();
        for (PageWrite write : writes) {
            next.merge(write.partition(), write.offset() + 1, Math::max);
        }
        applier.apply(BatchCoalescer.coalesce(List.of(writes)), next, (pages, reason) -> {
            throw new AssertionError(reason);
        });
    }

    /**
     * The heart of "effectively once, in order": the same writes, shuffled within their page's arrival order as
     * any partitioning allows, split into batches at random, applied with redeliveries, always end in the same
     * rows: the same content and the same versions.
     */
    @Test
    void theResultIsTheSameWhateverTheBatchingAndRedelivery() {
        List<PageWrite> log = new ArrayList<>();
        Random random = new Random(42);
        for (int offset = 0; offset < 600; offset++) {
            int pageNumber = random.nextInt(40);
            String url = "https://batching.example/" + pageNumber;
            String fetchedAt = Instant.parse("2026-11-20T10:00:00Z").plusSeconds(random.nextInt(20)).toString();
            PageEnvelope envelope = random.nextInt(10) == 0
                    ? PageEnvelope.delete(TestPages.id(url), Instant.parse(fetchedAt), "test")
                    : PageEnvelope.upsert(page(url, fetchedAt, "body " + random.nextInt(3)), Instant.now(), "test");
            log.add(new PageWrite(envelope, 0, offset));
        }

        List<Map<String, Object>> oneByOne = applyInBatches("one-by-one", log, new Random(1), 1, false);
        List<Map<String, Object>> allAtOnce = applyInBatches("all-at-once", log, new Random(2), log.size(), false);
        List<Map<String, Object>> randomBatches = applyInBatches("random-batches", log, new Random(3), 50, true);

        assertThat(allAtOnce).isEqualTo(oneByOne);
        assertThat(randomBatches).isEqualTo(oneByOne);
        assertThat(oneByOne).extracting(row -> row.get("version")).allSatisfy(v -> assertThat((Long) v).isPositive());
    }

    /** Applies the log under its own site prefix, in batches of 1..maxBatch, each redelivered once if asked. */
    private List<Map<String, Object>> applyInBatches(String run, List<PageWrite> log, Random random, int maxBatch, boolean redeliver) {
        BatchApplier applier = new BatchApplier(dataSource, run, "topic");
        db.execute("DELETE FROM pages WHERE site = 'batching.example' OR site IS NULL");
        int from = 0;
        while (from < log.size()) {
            int to = Math.min(log.size(), from + 1 + random.nextInt(maxBatch));
            List<PageWrite> batch = log.subList(from, to);
            Map<Integer, Long> next = Map.of(0, batch.get(batch.size() - 1).offset() + 1);
            applier.apply(BatchCoalescer.coalesce(batch), next, (pages, reason) -> {
                throw new AssertionError(reason);
            });
            if (redeliver) {
                applier.apply(BatchCoalescer.coalesce(batch), next, (pages, reason) -> {
                    throw new AssertionError(reason);
                });
            }
            from = to;
        }
        return db.queryForList("""
                SELECT id, url, title, body, encode(body_zstd, 'hex') AS body_zstd, fetched_at, deleted_at, version, source_offset, encode(content_hash, 'hex') AS hash
                FROM pages WHERE site = 'batching.example' OR site IS NULL ORDER BY id""");
    }

    private static PageWrite write(Page page, int partition, long offset) {
        return new PageWrite(PageEnvelope.upsert(page, Instant.now(), "test"), partition, offset);
    }
}
