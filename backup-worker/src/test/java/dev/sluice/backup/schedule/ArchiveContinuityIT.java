package dev.sluice.backup.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backup.ChangeFeedProcess;
import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.command.CommandRun;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.backup.store.S3Properties;
import dev.sluice.backup.store.S3Server;
import dev.sluice.core.json.Json;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.node.ObjectNode;

/**
 * The change archive is complete and in order however it is written: two backup workers sharing the partitions,
 * partitions moving between them mid-run, changes archived twice. And when it is not complete (retention removed
 * changes before any archiver read them), a point-in-time restore across the hole is refused, naming it.
 */
@SharedStackTest
@SpringBootTest(properties = {"sluice.topics.cdc-pages.name=" + ArchiveContinuityIT.TOPIC, "sluice.backup.archive.segment-duration=1s",
        "sluice.backup.archive.group-id=" + ArchiveContinuityIT.GROUP, "sluice.backup.schedule=-"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveContinuityIT {

    static final String TOPIC = "cdc.pages.continuity-it";
    static final String GROUP = "archive-continuity-it";
    static final S3Properties BUCKET = S3Server.shared().newBucket("continuity-it", "sluice/", DataSize.ofMegabytes(5));
    static final int PAGES = 40;

    static Connections connections;
    static JdbcTemplate db;
    static ServiceProcess changeFeed;

    @Autowired
    ChangeArchiver archiver;

    @Autowired
    ArchiveProperties archiveProperties;

    @Autowired
    ObjectStore objects;

    @Autowired
    Topics topics;

    @Autowired
    KafkaProperties kafkaProperties;

    @Autowired
    MeterRegistry meters;

    @DynamicPropertySource
    static void backupsInAFreshBucket(DynamicPropertyRegistry registry) {
        S3Server.properties(BUCKET).forEach((name, value) -> registry.add(name, () -> value));
    }

    @BeforeAll
    static void changeFeedRunning() {
        connections = SharedStack.forTestClass(ArchiveContinuityIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        changeFeed = ChangeFeedProcess.start(connections, TOPIC, "continuity_it");
    }

    @AfterAll
    static void stopChangeFeed() {
        if (changeFeed != null) {
            changeFeed.kill();
        }
    }

    @Test
    @Order(1)
    void twoArchiversWithPartitionsMovingMidRunRestoreEveryPageAtItsNewestChange() throws Exception {
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                SELECT md5(n::text), 'https://continuity.example/' || n, 'continuity.example', 'round 0', '<p>' || n || '</p>', now(), 1, 0, n
                FROM generate_series(1, ?) AS n""", PAGES);
        assertThat(backup("take").exitCode).isZero();

        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService thread = Executors.newSingleThreadExecutor();
        ChangeArchiver second = new ChangeArchiver(archiveProperties, objects, topics, kafkaProperties, new SimpleMeterRegistry());
        try {
            Future<Integer> rounds = thread.submit(() -> {
                int round = 0;
                while (writing.get()) {
                    round++;
                    db.update("UPDATE pages SET title = ?, version = version + 1 WHERE id IN (SELECT md5(n::text) FROM generate_series(1, ?) AS n)",
                            "round " + round, PAGES);
                }
                return round;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> archive().segments().size() >= 2);
            second.start(); // partitions move to the second backup worker
            await().atMost(Duration.ofSeconds(60)).until(() -> archive().segments().size() >= 6);
            second.stop(); // and back
            await().atMost(Duration.ofSeconds(60)).until(() -> archive().segments().size() >= 10);
            writing.set(false);
            assertThat(rounds.get()).isGreaterThan(10);
        } finally {
            writing.set(false);
            second.stop();
            thread.shutdownNow();
        }
        Instant end = now();
        String atTheEnd = checksum(db);
        awaitEverythingArchived();

        CommandRun restore = backup("restore", "--to", end.toString(), "--to-database", "continuity_end");

        assertThat(restore.exitCode).as(restore.toString()).isZero();
        assertThat(checksum(new JdbcTemplate(connections.withDatabase("continuity_end").dataSource())))
                .as("every page at its newest change, whichever archiver archived it and in whatever order").isEqualTo(atTheEnd);
    }

    @Test
    @Order(2)
    void changesReadOlderAfterNewerLeaveThePageAtItsNewestChange() throws Exception {
        awaitEverythingArchived();
        ObjectNode row = (ObjectNode) Json.mapper().readTree(db.queryForObject("SELECT row_to_json(p)::text FROM pages p WHERE id = md5('1')", String.class));
        row.put("content_hash", (String) null);
        long position = db.queryForObject("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint", Long.class);
        long version = row.get("version").asLong();
        Instant at = now();
        // as two archivers may leave them: the newer change in the earlier segment, the older one archived again later
        writeSegment(change(row.deepCopy().put("title", "the newer change").put("version", version + 2), position + 200, at), 0);
        writeSegment(change(row.deepCopy().put("title", "the older change").put("version", version + 1), position + 100, at), 1);
        Instant end = now();

        CommandRun restore = backup("restore", "--to", end.toString(), "--to-database", "continuity_order");

        assertThat(restore.exitCode).as(restore.toString()).isZero();
        assertThat(new JdbcTemplate(connections.withDatabase("continuity_order").dataSource())
                .queryForObject("SELECT title FROM pages WHERE id = md5('1')", String.class)).isEqualTo("the newer change");

        long live = db.queryForObject("SELECT count(*) FROM pages", Long.class);
        CommandRun overLive = backup("restore", "--to", end.toString(), "--to-database", connections.database());
        assertThat(overLive.exitCode).as("a restore never replaces a database: " + overLive).isEqualTo(1);
        assertThat(overLive.err).contains("already exists");
        assertThat(db.queryForObject("SELECT count(*) FROM pages", Long.class)).as("the live database untouched").isEqualTo(live);
    }

    private static byte[] change(ObjectNode after, long position, Instant committed) {
        ObjectNode event = Json.mapper().createObjectNode().put("op", "u");
        event.set("after", after);
        event.putObject("source").put("table", "pages").put("lsn", position).put("ts_ms", committed.toEpochMilli());
        return Json.mapper().writeValueAsBytes(event);
    }

    /** A segment of one change, on a partition of its own (99), at {@code offset}. */
    private void writeSegment(byte[] event, long offset) throws Exception {
        try (ChangeArchive.Writer segment = archive().next()) {
            segment.append(99, offset, db.queryForObject("SELECT md5('1')", String.class), Json.mapper().readTree(event).path("source")
                    .path("ts_ms").asLong(), event);
            segment.complete();
        }
    }

    @Test
    @Order(3)
    void aRestoreAcrossChangesRetentionRemovedBeforeTheyWereArchivedIsRefused() throws Exception {
        awaitEverythingArchived();
        archiver.stop();
        long before = endOffsets().values().stream().mapToLong(Long::longValue).sum();
        db.update("UPDATE pages SET title = 'never archived', version = version + 1 WHERE id IN (SELECT md5(n::text) FROM generate_series(1, 10) AS n)");
        await().atMost(Duration.ofSeconds(30)).until(() -> endOffsets().values().stream().mapToLong(Long::longValue).sum() >= before + 10);
        try (Admin admin = admin()) { // what retention does to changes older than it
            admin.deleteRecords(endOffsets().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
                    e -> RecordsToDelete.beforeOffset(e.getValue())))).all().get();
        }
        archiver.start();
        db.update("UPDATE pages SET title = 'after the hole', version = version + 1 WHERE id IN (SELECT md5(n::text) FROM generate_series(1, 10) AS n)");
        Instant end = now();
        awaitEverythingArchived();

        assertThat(meters.get("sluice.backup.archive.lost").counter().count()).as("reported when the archiver got there").isGreaterThanOrEqualTo(10);
        CommandRun restore = backup("restore", "--to", end.toString(), "--to-database", "continuity_hole");
        assertThat(restore.exitCode).as(restore.toString()).isEqualTo(1);
        assertThat(restore.err).contains("the change archive has a hole, refusing to restore across it").containsPattern("partition \\d+: offsets \\d+ to \\d+ are in no segment");
        assertThat(db.queryForObject("SELECT count(*) FROM pg_database WHERE datname = 'continuity_hole'", Long.class)).isZero();
    }

    private void awaitEverythingArchived() {
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            Map<TopicPartition, Long> end = endOffsets();
            try (Admin admin = admin()) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
                return end.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue());
            }
        });
    }

    private static Map<TopicPartition, Long> endOffsets() throws Exception {
        try (Admin admin = admin()) {
            int partitions = admin.describeTopics(java.util.List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().size();
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
            }
            return admin.listOffsets(latest).all().get().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }

    private static Admin admin() {
        return Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap()));
    }

    private ChangeArchive archive() {
        return new ChangeArchive(objects);
    }

    private static Instant now() {
        Instant now = db.queryForObject("SELECT clock_timestamp()", Timestamp.class).toInstant();
        await().until(() -> db.queryForObject("SELECT clock_timestamp()", Timestamp.class).toInstant().isAfter(now.plusMillis(1)));
        return now;
    }

    private static String checksum(JdbcTemplate db) {
        return CommandRun.checksum(db, "pages"); // every column but the change feed's change_xid, a transaction id of one cluster
    }

    private static CommandRun backup(String... args) {
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.putAll(S3Server.environment(BUCKET));
        return CommandRun.of(environment, args);
    }
}
