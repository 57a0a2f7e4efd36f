package dev.sluice.cli.shadow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.CliRun;
import dev.sluice.cli.TopicWrites;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * A shadow knows only the range of the log its replay read. Live pages written before that range (a replay
 * {@code --from} an offset, or a log whose start retention removed) are not in the shadow, and a swap must not
 * read their absence as deletions; writes accepted while a swap runs must all survive it.
 */
@SharedStackTest
class ShadowCoverageIT {

    /** A page's body, whichever way its row stores it. */
    private static final RowMapper<String> BODY = (row, n) -> StoredBody.read(row);

    static final Instant FETCHED = Instant.parse("2026-11-20T10:00:00Z");
    static final int PAGES = 20;

    static Connections connections;
    static JdbcTemplate db;

    @BeforeAll
    static void stack() {
        connections = SharedStack.forTestClass(ShadowCoverageIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
    }

    @BeforeEach
    void emptyLiveTable() {
        db.update("TRUNCATE pages, consumer_positions");
        db.update("DROP TABLE IF EXISTS pages_shadow");
    }

    @Test
    void aSwapAfterAReplayFromAnOffsetKeepsEveryPageWrittenBeforeIt() {
        String topic = "pages.coverage-from";
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), topic, 2)) {
            writeAll(writes, FETCHED);
        }
        applyLive(topic);
        assertThat(cli("replay", "--into", "shadow", "--topic", topic, "--from-offset", "4").exitCode()).isZero();

        CliRun diff = cli("shadow", "diff", "--topic", topic);
        assertThat(diff.out()).as(diff.toString()).contains("partition 0: offsets 4 to").contains("partition 1: offsets 4 to")
                .containsPattern("removed\\s+0 ").containsPattern("outside\\s+8 ");

        CliRun swap = cli("shadow", "swap", "--topic", topic, "--yes");
        assertThat(swap.exitCode()).as(swap.toString()).isZero();
        assertThat(swap.out()).containsPattern("removed\\s+0 ");
        assertThat(livePages()).as("no page written before offset 4 is tombstoned").isEqualTo(PAGES);
    }

    @Test
    void aSwapAfterRetentionTrimmedTheLogKeepsThePagesItNoLongerHolds() throws Exception {
        String topic = "pages.coverage-trimmed";
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), topic, 2)) {
            writeAll(writes, FETCHED);
        }
        applyLive(topic);
        trimLogStart(topic, 4);

        assertThat(cli("replay", "--into", "shadow", "--topic", topic).exitCode()).isZero();
        CliRun swap = cli("shadow", "swap", "--topic", topic, "--yes");
        assertThat(swap.exitCode()).as(swap.toString()).isZero();
        assertThat(swap.out()).contains("partition 0: offsets 4 to").containsPattern("removed\\s+0 ").containsPattern("outside\\s+8 ");
        assertThat(livePages()).isEqualTo(PAGES);
    }

    @Test
    void resumingAShadowReplayAcrossRecordsRetentionRemovedIsRefused() throws Exception {
        String topic = "pages.coverage-hole";
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), topic, 2)) {
            writeAll(writes, FETCHED);
        }
        assertThat(cli("replay", "--into", "shadow", "--topic", topic, "--to-offset", "3").exitCode()).isZero();
        trimLogStart(topic, 6);

        CliRun resumed = cli("replay", "--into", "shadow", "--topic", topic);
        assertThat(resumed.exitCode()).as(resumed.toString()).isNotZero();
        assertThat(resumed.err()).contains("Refused: resuming would leave a hole in shadow pages_shadow")
                .contains("partition 0 stopped at offset 3 but its range now begins at 6").contains("--restart");

        CliRun restarted = cli("replay", "--into", "shadow", "--topic", topic, "--restart");
        assertThat(restarted.exitCode()).as(restarted.toString()).isZero();
        assertThat(cli("shadow", "diff", "--topic", topic).out()).contains("partition 0: offsets 6 to").contains("partition 1: offsets 6 to");
    }

    @Test
    void aReplayWhoseRecordsRetentionRemovesMidRunFailsInsteadOfSkippingThem() throws Exception {
        String topic = "pages.coverage-mid-run";
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), topic, 1)) {
            String large = "x".repeat(200_000); // a fetch brings a few records (1 MB per partition), not the whole log
            for (int i = 0; i < 60; i++) {
                writes.upsert(TopicWrites.page(url(i % PAGES), FETCHED.plusSeconds(i), large + i), FETCHED.plusSeconds(i));
            }
        }
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<CliRun> replay = thread.submit(() -> cli("replay", "--into", "shadow", "--topic", topic, "--max-rate", "10"));
            await().atMost(Duration.ofSeconds(30)).until(() -> db.queryForObject(
                    "SELECT coalesce(max(next_offset), 0) FROM consumer_positions WHERE consumer_group = 'shadow:pages_shadow'", Long.class) > 0);
            trimLogStart(topic, 50, 0);

            CliRun run = replay.get(60, TimeUnit.SECONDS);
            assertThat(run.exitCode()).as(run.toString()).isNotZero();
            assertThat(run.err()).contains("retention removed records this replay had still to read");
        } finally {
            thread.shutdownNow();
        }
    }

    @Test
    void aSwapUnderLiveIngestLosesNoAcknowledgedWrite() throws Exception {
        String topic = "pages.coverage-live";
        Map<Integer, String> lastAcknowledged = new ConcurrentHashMap<>();
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), topic, 2)) {
            writeAll(writes, FETCHED);
            applyLive(topic);
            assertThat(cli("replay", "--into", "shadow", "--topic", topic).exitCode()).isZero();
            // the reprocessing drops five pages and rewrites five others
            db.update("DELETE FROM pages_shadow WHERE id = ANY(?)", (Object) ids(0, 5));
            db.update("UPDATE pages_shadow SET title = 'reprocessed' WHERE id = ANY(?)", (Object) ids(5, 10));

            AtomicBoolean writing = new AtomicBoolean(true);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> crawler = threads.submit(() -> {
                    for (int n = 1; writing.get(); n++) {
                        int page = ThreadLocalRandom.current().nextInt(PAGES);
                        String body = "re-crawl " + n;
                        writes.upsert(TopicWrites.page(url(page), FETCHED.plusSeconds(n), body), FETCHED.plusSeconds(n));
                        lastAcknowledged.put(page, body);
                    }
                    return null;
                });
                Future<?> liveWorkers = threads.submit(() -> {
                    while (writing.get()) {
                        applyLive(topic);
                    }
                    return null;
                });
                CliRun swap = cli("shadow", "swap", "--topic", topic, "--yes");
                assertThat(swap.exitCode()).as(swap.toString()).isZero();
                // after the swap, every page is crawled once more: the writes the live workers apply next
                writing.set(false);
                crawler.get();
                liveWorkers.get();
            } finally {
                threads.shutdownNow();
            }
            for (int page = 0; page < PAGES; page++) {
                String body = "after the swap " + page;
                writes.upsert(TopicWrites.page(url(page), FETCHED.plusSeconds(100_000 + page), body), FETCHED.plusSeconds(100_000));
                lastAcknowledged.put(page, body);
            }
        }
        applyLive(topic);

        for (int page = 0; page < PAGES; page++) {
            assertThat(db.queryForObject("SELECT body, body_zstd FROM pages WHERE id = ? AND deleted_at IS NULL", BODY, id(page)))
                    .as("page %d: the last acknowledged write wins over the swap", page).isEqualTo(lastAcknowledged.get(page));
        }
    }

    private static void writeAll(TopicWrites writes, Instant fetched) {
        for (int i = 0; i < PAGES; i++) {
            writes.upsert(TopicWrites.page(url(i), fetched, "body " + i), fetched.plusMillis(i));
        }
    }

    /** What retention does to the oldest records: the log of every partition now begins at {@code offset}. */
    private static void trimLogStart(String topic, long offset) throws Exception {
        trimLogStart(topic, offset, 0, 1);
    }

    private static void trimLogStart(String topic, long offset, int... partitions) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap()))) {
            admin.deleteRecords(IntStream.of(partitions).boxed().collect(java.util.stream.Collectors.toMap(
                    p -> new TopicPartition(topic, p), p -> RecordsToDelete.beforeOffset(offset)))).all().get();
        }
    }

    private static void applyLive(String topic) {
        CliRun run = cli("replay", "--into", "postgres", "--topic", topic, "--name", "live", "--max-rate", "0");
        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    private static long livePages() {
        return db.queryForObject("SELECT count(*) FROM pages WHERE deleted_at IS NULL", Long.class);
    }

    private static CliRun cli(String... args) {
        return CliRun.of(connections, args);
    }

    private static String url(int page) {
        return "https://coverage.example/" + page;
    }

    private static String id(int page) {
        return PageUrl.parse(url(page)).id();
    }

    private static String[] ids(int from, int to) {
        return IntStream.range(from, to).mapToObj(ShadowCoverageIT::id).toArray(String[]::new);
    }
}
