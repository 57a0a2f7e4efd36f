package dev.sluice.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.CliRun;
import dev.sluice.cli.TopicWrites;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;
import tools.jackson.databind.JsonNode;

/**
 * Replays of a topic written in three phases an hour apart (A at 09:00, B at 10:00, C at 11:00): each replays
 * exactly its range, twice changes nothing, a dry run counts what the real run does, an interrupted replay
 * resumes without gaps or duplicates, and the live group's positions (in PostgreSQL and in Kafka) never move.
 */
@SharedStackTest
class ReplayIT {

    /** A page's body, whichever way its row stores it. */
    private static final RowMapper<String> BODY = (row, n) -> StoredBody.read(row);

    static final String TOPIC = "pages.replay-it";
    static final String LIVE_GROUP = "ingest";
    static final Instant A = Instant.parse("2026-11-20T09:00:00Z");
    static final Instant B = Instant.parse("2026-11-20T10:00:00Z");
    static final Instant C = Instant.parse("2026-11-20T11:00:00Z");

    static Connections connections;
    static JdbcTemplate db;
    static final List<RecordMetadata> phaseB = new ArrayList<>();
    static final List<RecordMetadata> all = new ArrayList<>();
    static Map<TopicPartition, OffsetAndMetadata> liveKafkaOffsets;

    @TempDir
    Path temp;

    @BeforeAll
    static void topicWrittenInThreePhases() throws Exception {
        connections = SharedStack.forTestClass(ReplayIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), TOPIC, 3)) {
            for (int i = 0; i < 30; i++) {
                all.add(writes.upsert(TopicWrites.page("https://a.example/" + i, A, "a " + i), A.plusMillis(i)));
            }
            for (int i = 0; i < 30; i++) {
                phaseB.add(writes.upsert(TopicWrites.page("https://b.example/" + i, B, "b " + i), B.plusMillis(i)));
            }
            for (int i = 0; i < 10; i++) { // newer fetches of pages first seen in A
                phaseB.add(writes.upsert(TopicWrites.page("https://a.example/" + i, B, "a again " + i), B.plusMillis(100 + i)));
            }
            all.addAll(phaseB);
            for (int i = 0; i < 30; i++) {
                all.add(writes.upsert(TopicWrites.page("https://c.example/" + i, C, "c " + i), C.plusMillis(i)));
            }
        }
        // the live workers' positions: in PostgreSQL (the truth) and, informational, in Kafka
        for (int partition = 0; partition < 3; partition++) {
            db.update("INSERT INTO consumer_positions (consumer_group, topic, partition, next_offset) VALUES (?, ?, ?, ?)",
                    LIVE_GROUP, TOPIC, partition, 7L + partition);
        }
        try (Admin admin = admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (int partition = 0; partition < 3; partition++) {
                offsets.put(new TopicPartition(TOPIC, partition), new OffsetAndMetadata(5L + partition));
            }
            admin.alterConsumerGroupOffsets(LIVE_GROUP, offsets).all().get();
            liveKafkaOffsets = admin.listConsumerGroupOffsets(LIVE_GROUP).partitionsToOffsetAndMetadata().get();
        }
    }

    @BeforeEach
    void emptyTable() {
        db.update("TRUNCATE pages");
        db.update("DELETE FROM consumer_positions WHERE consumer_group <> ?", LIVE_GROUP);
    }

    @AfterEach
    void theLiveGroupNeverMoved() throws Exception {
        assertThat(db.queryForList("SELECT next_offset FROM consumer_positions WHERE consumer_group = ? AND topic = ? ORDER BY partition",
                Long.class, LIVE_GROUP, TOPIC)).containsExactly(7L, 8L, 9L);
        try (Admin admin = admin()) {
            assertThat(admin.listConsumerGroupOffsets(LIVE_GROUP).partitionsToOffsetAndMetadata().get()).isEqualTo(liveKafkaOffsets);
        }
    }

    @Test
    void aReplayByTimeAppliesExactlyTheRecordsInItsRange() {
        CliRun run = replay("--into", "postgres", "--from", "2026-11-20T10:00Z", "--to", "2026-11-20T11:00Z");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Replayed 40 record(s)").contains("40 page(s) inserted");
        assertThat(db.queryForList("SELECT id FROM pages", String.class)).containsExactlyInAnyOrderElementsOf(
                phaseBIds());
        assertThat(db.queryForList("SELECT DISTINCT fetched_at FROM pages", java.sql.Timestamp.class))
                .containsExactly(java.sql.Timestamp.from(B));
    }

    @Test
    void reApplyingARangeTwiceChangesNothing() {
        assertThat(replay("--into", "postgres", "--from", "2026-11-20T10:00Z", "--to", "2026-11-20T11:00Z").exitCode()).isZero();
        List<Map<String, Object>> before = rows();

        CliRun again = replay("--into", "postgres", "--from", "2026-11-20T10:00Z", "--to", "2026-11-20T11:00Z", "--restart");
        CliRun resumed = replay("--into", "postgres", "--from", "2026-11-20T10:00Z", "--to", "2026-11-20T11:00Z");

        assertThat(again.out()).as(again.toString()).contains("Replayed 40 record(s)").contains("0 page(s) inserted, 0 updated");
        assertThat(resumed.out()).as("the same replay run again has nothing left to do").contains("0 to do").contains("Replayed 0 record(s)");
        assertThat(rows()).as("same rows, versions and row versions (xmin): nothing was rewritten").isEqualTo(before);
    }

    @Test
    void aDryRunCountsWhatTheRealRunProcesses() {
        CliRun dry = replay("--into", "postgres", "--from", "2026-11-20T09:30Z", "--partition", "0,2", "--dry-run");
        long expected = all.stream().filter(m -> m.partition() != 1 && !Instant.ofEpochMilli(m.timestamp()).isBefore(B)).count();

        assertThat(dry.exitCode()).as(dry.toString()).isZero();
        assertThat(dry.out()).contains("Would replay").contains("total " + expected + " record(s) in range, " + expected + " to do");
        assertThat(db.queryForObject("SELECT count(*) FROM pages", Long.class)).as("a dry run writes nothing").isZero();

        CliRun real = replay("--into", "postgres", "--from", "2026-11-20T09:30Z", "--partition", "0,2");
        assertThat(real.out()).as(real.toString()).contains("Replayed " + expected + " record(s)");
        assertThat(perPartition(dry.out())).isEqualTo(perPartition(real.out()));
    }

    @Test
    void anInterruptedReplayResumesWithoutGapsOrDuplicates() throws Exception {
        Path file = temp.resolve("replay.ndjson.gz");
        List<String> args = List.of("replay", "--into", "file", "--file", file.toString(), "--topic", TOPIC, "--max-rate", "20");
        Process process = cliProcess(args);
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(Path.of(file + ".progress")));
        } finally {
            process.destroyForcibly(); // kill -9, mid-replay
            process.waitFor();
        }

        CliRun resumed = CliRun.of(connections, args.toArray(String[]::new));

        assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
        assertThat(resumed.out()).as("partitions resumed part-way").contains("from ");
        List<String> coordinates = lines(file).stream().map(line -> line.path("partition").asInt() + "@" + line.path("offset").asLong()).toList();
        assertThat(coordinates).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(all.stream().map(m -> m.partition() + "@" + m.offset()).toList());
        JsonNode first = lines(file).get(0);
        assertThat(first.path("value").path("op").asString()).isEqualTo("upsert");
    }

    @Test
    void aReplayIntoATopicCopiesTheRangeToTheSamePartitions() {
        CliRun run = replay("--into", "topic", "--target-topic", TOPIC + ".copy", "--from-offset", "5", "--to-offset", "8");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        List<ConsumerRecord<String, byte[]>> copied = TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC + ".copy");
        List<ConsumerRecord<String, byte[]>> source = TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC).stream()
                .filter(r -> r.offset() >= 5 && r.offset() < 8).toList();
        assertThat(copied).hasSize(9);
        assertThat(copied.stream().map(r -> r.partition() + " " + r.key() + " " + new String(r.value(), StandardCharsets.UTF_8)).toList())
                .containsExactlyInAnyOrderElementsOf(source.stream()
                        .map(r -> r.partition() + " " + r.key() + " " + new String(r.value(), StandardCharsets.UTF_8)).toList());
    }

    @Test
    void aReplayStartedTheMomentAWriteIsAcknowledgedAppliesIt() {
        String topic = "pages.replay-at-once";
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), topic, 3)) {
            for (int round = 0; round < 25; round++) {
                String url = "https://at-once.example/" + (round % 7);
                writes.upsert(TopicWrites.page(url, C.plusSeconds(round), "round " + round), C.plusSeconds(round));

                CliRun run = CliRun.of(connections, "replay", "--into", "postgres", "--topic", topic, "--name", "at-once", "--max-rate", "0");

                assertThat(run.exitCode()).as(run.toString()).isZero();
                assertThat(db.queryForObject("SELECT body, body_zstd FROM pages WHERE id = ?", BODY, PageUrl.parse(url).id()))
                        .as("round %d: the write acknowledged just before the replay started", round).isEqualTo("round " + round);
            }
        }
    }

    @Test
    void theChangeFeedCannotBeReplayedIntoPostgres() {
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), "cdc.replay-it", 1)) {
            writes.send("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ("{\"before\":null,\"after\":{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
                    + "\"source\":{\"table\":\"pages\"},\"op\":\"c\"}").getBytes(StandardCharsets.UTF_8), A);
        }

        CliRun run = CliRun.of(connections, "replay", "--topic", "cdc.replay-it", "--into", "postgres");

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("holds change events").contains("--into topic or --into file");
        assertThat(db.queryForObject("SELECT count(*) FROM pages", Long.class)).isZero();
    }

    private static CliRun replay(String... args) {
        List<String> all = new ArrayList<>(List.of("replay", "--topic", TOPIC, "--max-rate", "0"));
        all.addAll(List.of(args));
        return CliRun.of(connections, all.toArray(String[]::new));
    }

    private static List<String> phaseBIds() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            ids.add(PageUrl.parse("https://b.example/" + i).id());
        }
        for (int i = 0; i < 10; i++) {
            ids.add(PageUrl.parse("https://a.example/" + i).id());
        }
        return ids;
    }

    private static List<Map<String, Object>> rows() {
        return db.queryForList("SELECT id, version, fetched_at, updated_at, xmin::text AS row_version FROM pages ORDER BY id");
    }

    /** The per-partition rows of the plan a replay prints: partition, from, to, records. */
    private static List<String> perPartition(String out) {
        Matcher matcher = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s").matcher(out);
        List<String> rows = new ArrayList<>();
        while (matcher.find()) {
            rows.add(matcher.group(1) + ":" + matcher.group(2) + ".." + matcher.group(3) + "=" + matcher.group(4));
        }
        return rows;
    }

    private static List<JsonNode> lines(Path file) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(Json.mapper().readTree(line));
            }
        }
        return lines;
    }

    private static Process cliProcess(List<String> args) throws IOException {
        Path jar = Path.of("target", "sluice-cli.jar");
        assertThat(jar).as("the CLI jar (built by the package phase)").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar.toString(), "-Dloader.main=dev.sluice.cli.SluiceCli", "org.springframework.boot.loader.launch.PropertiesLauncher"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().putAll(connections.toEnvironment());
        return builder.start();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap()));
    }
}
