package dev.sluice.ingest.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.page.Page;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.ingest.PageWrites;
import dev.sluice.store.schema.SchemaMigrator;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Worker processes (the real jar, as deployed) crashing, joining and leaving while pages keep arriving: every page
 * ends exactly as its newest write says, with a version counting each of its writes once, and no dead letter.
 */
@SharedStackTest
class WorkerFleetIT {

    static final Path JAR = Path.of("target", "sluice-ingest-worker.jar");
    static final int PAGES = 400;

    static Connections connections;
    static JdbcTemplate db;

    final List<ServiceProcess> workers = new ArrayList<>();

    @BeforeAll
    static void schema() {
        assertThat(JAR).as("the worker jar (built by the package phase)").isRegularFile();
        connections = SharedStack.forTestClass(WorkerFleetIT.class);
        PGSimpleDataSource dataSource = connections.dataSource();
        new SchemaMigrator(dataSource).migrate();
        db = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(ServiceProcess::kill);
    }

    @Test
    void aWorkerKilledMidBatchLosesNothingAndAppliesNothingTwice() {
        String topic = "pages.crash-it";
        try (Load load = new Load(topic, "crash.example")) {
            ServiceProcess worker = startWorker(topic);
            awaitMoreApplied(topic, 3000);
            worker.kill();
            worker = startWorker(topic);
            awaitMoreApplied(topic, 3000);
            worker.kill();
            startWorker(topic);
            awaitMoreApplied(topic, 3000);
            int rounds = load.stop();

            awaitApplied(topic, (long) rounds * PAGES);
            assertEveryPageAtItsNewestWrite("crash.example", topic, rounds);
        }
    }

    @Test
    void workersJoiningAndLeavingShareThePartitionsWithoutLossOrDuplicates() {
        String topic = "pages.fleet-it";
        try (Load load = new Load(topic, "fleet.example")) {
            ServiceProcess first = startWorker(topic);
            awaitMoreApplied(topic, 3000);
            ServiceProcess second = startWorker(topic); // joins: a cooperative rebalance hands it half the partitions
            awaitMoreApplied(topic, 3000);
            first.stop(Duration.ofSeconds(30)); // leaves gracefully: its partitions move to the second
            awaitMoreApplied(topic, 3000);
            int rounds = load.stop();

            awaitApplied(topic, (long) rounds * PAGES);
            assertThat(second.isAlive()).isTrue();
            assertEveryPageAtItsNewestWrite("fleet.example", topic, rounds);
        }
    }

    /**
     * Writes round after round of fetches of the same PAGES pages, each round newer than the last, keeping at most
     * a few thousand records ahead of the workers, until stopped: the workers are always busy, never swamped.
     */
    static final class Load implements AutoCloseable {

        private static final String BODY = "<html><body>" + "<p>scraped text</p>".repeat(100) + "</body></html>";
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger rounds = new AtomicInteger();
        private final Thread thread;

        Load(String topic, String site) {
            PageWrites.createTopic(connections.kafkaBootstrap(), topic, 12);
            PageWrites.createTopic(connections.kafkaBootstrap(), topic + ".dlq", 12);
            thread = new Thread(() -> {
                try (PageWrites writes = new PageWrites(connections.kafkaBootstrap(), topic)) {
                    while (running.get()) {
                        // keep at most a few thousand records ahead of the workers (or stop when told)
                        await().forever().pollInterval(Duration.ofMillis(20))
                                .until(() -> !running.get() || (long) rounds.get() * PAGES - applied(topic) <= 4000);
                        if (!running.get()) {
                            break;
                        }
                        int round = rounds.get() + 1;
                        String fetchedAt = fetchedAt(round).toString();
                        List<Page> pages = IntStream.range(0, PAGES)
                                .mapToObj(i -> PageWrites.page("https://" + site + "/" + i, fetchedAt, "round " + round + BODY))
                                .toList();
                        writes.upsertAll(pages);
                        rounds.set(round);
                    }
                }
            }, "load-" + topic);
            thread.start();
        }

        /** Stops writing; returns how many rounds were written (each fully acknowledged by Kafka). */
        int stop() {
            running.set(false);
            try {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return rounds.get();
        }

        @Override
        public void close() {
            stop();
        }
    }

    static Instant fetchedAt(int round) {
        return Instant.parse("2026-11-20T10:00:00Z").plusSeconds(round);
    }

    private ServiceProcess startWorker(String topic) {
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.put("SLUICE_TOPICS_PAGES_NAME", topic);
        environment.put("SLUICE_TOPICS_PAGESDEADLETTERS_NAME", topic + ".dlq");
        environment.put("SLUICE_INGEST_GROUPID", group(topic));
        environment.put("SLUICE_INGEST_MAXBATCH", "200");
        environment.put("SLUICE_INGEST_SESSIONTIMEOUT", "6s");
        environment.put("SLUICE_SEARCH_ENABLED", "false");
        ServiceProcess worker = new ServiceProcess("worker-" + (workers.size() + 1), JAR, FreePorts.pick(), environment,
                ServiceProcess.QUICK_START_JVM, System.out, null);
        worker.start();
        workers.add(worker);
        await().atMost(Duration.ofSeconds(90)).until(() -> worker.isReady() || !worker.isAlive());
        assertThat(worker.isAlive()).as(worker.name() + " is running").isTrue();
        return worker;
    }

    private static String group(String topic) {
        return "ingest-" + topic;
    }

    private static long applied(String topic) {
        Long sum = db.queryForObject("SELECT coalesce(sum(next_offset), 0) FROM consumer_positions WHERE consumer_group = ? AND topic = ?",
                Long.class, group(topic), topic);
        return sum == null ? 0 : sum;
    }

    private static void awaitMoreApplied(String topic, long more) {
        awaitApplied(topic, applied(topic) + more);
    }

    private static void awaitApplied(String topic, long atLeast) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).until(() -> applied(topic) >= atLeast);
    }

    private static void assertEveryPageAtItsNewestWrite(String site, String topic, int rounds) {
        assertThat(applied(topic)).isEqualTo((long) rounds * PAGES);
        assertThat(db.queryForObject("SELECT count(*) FROM pages WHERE site = ?", Long.class, site)).isEqualTo(PAGES);
        assertThat(db.queryForList("SELECT DISTINCT version FROM pages WHERE site = ?", Long.class, site))
                .as("every write counted exactly once").containsExactly((long) rounds);
        assertThat(db.query("SELECT body, body_zstd FROM pages WHERE site = ?", (row, n) -> StoredBody.read(row).substring(0, 12), site)
                .stream().distinct())
                .containsExactly(("round " + rounds + "<html>").substring(0, 12));
        assertThat(db.queryForList("SELECT DISTINCT fetched_at FROM pages WHERE site = ?", Timestamp.class, site))
                .containsExactly(Timestamp.from(fetchedAt(rounds)));
        assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), topic + ".dlq")).isEmpty();
    }
}
