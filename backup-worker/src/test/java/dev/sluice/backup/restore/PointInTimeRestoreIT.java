package dev.sluice.backup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backup.ChangeFeedProcess;
import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.command.CommandRun;
import dev.sluice.backup.store.S3Properties;
import dev.sluice.backup.store.S3Server;
import dev.sluice.backup.store.S3Store;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.sql.Connection;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Point-in-time restore through the whole chain: changes made by hand in PostgreSQL, captured by the real change
 * feed (the cache-invalidator process), archived by this worker into an S3 bucket, restored to a moment between
 * two known writes.
 */
@SharedStackTest
@SpringBootTest(properties = {"sluice.topics.cdc-pages.name=cdc.pages.pitr-it", "sluice.backup.archive.segment-duration=1s",
        "sluice.backup.schedule=-"})
class PointInTimeRestoreIT {

    static final S3Properties BUCKET = S3Server.shared().newBucket("pitr-it", "sluice/", DataSize.ofMegabytes(5));

    static Connections connections;
    static JdbcTemplate db;
    static ServiceProcess changeFeed;

    @DynamicPropertySource
    static void backupsInAFreshBucket(DynamicPropertyRegistry registry) {
        S3Server.properties(BUCKET).forEach((name, value) -> registry.add(name, () -> value));
    }

    @BeforeAll
    static void changeFeedRunning() {
        connections = SharedStack.forTestClass(PointInTimeRestoreIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        changeFeed = ChangeFeedProcess.start(connections, "cdc.pages.pitr-it", "pitr_it");
    }

    @AfterAll
    static void stopChangeFeed() {
        if (changeFeed != null) {
            changeFeed.kill();
        }
    }

    @Test
    void aRestoreToAMomentBetweenTwoWritesHasExactlyTheRowsOfThatMoment() throws Exception {
        insert(1, 20, "first");
        assertThat(backup("take").exitCode).isZero();

        // after the snapshot: updates, inserts, a delete by hand, a large body then a change that leaves it out of its event
        db.update("UPDATE pages SET title = 'second', version = version + 1 WHERE id IN (" + ids(1, 5) + ")");
        insert(21, 25, "second");
        db.update("DELETE FROM pages WHERE id = md5('7')");
        db.update("UPDATE pages SET body = repeat('<p>a large body, stored out of line</p>', 400), version = version + 1 WHERE id = md5('8')");
        db.update("UPDATE pages SET title = 'body unchanged', version = version + 1 WHERE id = md5('8')");
        // the same with a body compressed by its writer (bytea, out of line when large): its frame comes back byte for byte
        db.update("UPDATE pages SET body = NULL, body_zstd = ?, version = version + 1 WHERE id = md5('9')", largeFrame());
        db.update("UPDATE pages SET title = 'frame unchanged', version = version + 1 WHERE id = md5('9')");
        Instant between = db.queryForObject("SELECT clock_timestamp()", Timestamp.class).toInstant();
        String asOfBetween = checksum(db);
        // the next writes commit strictly after that moment, at the archive's millisecond precision
        await().until(() -> db.queryForObject("SELECT clock_timestamp()", Timestamp.class).toInstant().isAfter(between.plusMillis(1)));

        // a WAL position inside a transaction: one change before it, one after, committed after it (so not as of it)
        String position;
        String asOfPosition;
        try (Connection straddling = connections.dataSource().getConnection(); Statement sql = straddling.createStatement()) {
            straddling.setAutoCommit(false);
            sql.executeUpdate("UPDATE pages SET title = 'straddling', version = version + 1 WHERE id = md5('3')");
            position = db.queryForObject("SELECT pg_current_wal_insert_lsn()::text", String.class);
            asOfPosition = checksum(db);
            sql.executeUpdate("UPDATE pages SET title = 'straddling', version = version + 1 WHERE id = md5('4')");
            straddling.commit();
        }

        db.update("UPDATE pages SET title = 'third', version = version + 1 WHERE id IN (" + ids(1, 10) + ")");
        db.update("DELETE FROM pages WHERE id = md5('21')");
        insert(26, 30, "third");
        Instant end = db.queryForObject("SELECT clock_timestamp()", Timestamp.class).toInstant();
        String atTheEnd = checksum(db);

        ChangeArchive archive = new ChangeArchive(S3Store.connect(BUCKET));
        // every change archived: 20 + 5 + 5 inserted, 5 + 2 + 2 + 9 updated (7 is gone by the third round), 2 deleted
        await().atMost(Duration.ofSeconds(60)).until(() -> archive.segments().stream().mapToLong(ChangeArchive.Segment::events).sum() >= 50);

        CommandRun toBetween = backup("restore", "--to", between.toString(), "--to-database", "pitr_between");
        CommandRun toEnd = backup("restore", "--to", end.toString(), "--to-database", "pitr_end");
        CommandRun toPosition = backup("restore", "--to", position, "--to-database", "pitr_position");

        assertThat(toBetween.exitCode).as(toBetween.toString()).isZero();
        assertThat(checksum(restored("pitr_between"))).as("every row exactly as it was between the two writes").isEqualTo(asOfBetween);
        assertThat(restored("pitr_between").queryForObject("SELECT title FROM pages WHERE id = md5('8')", String.class)).isEqualTo("body unchanged");
        assertThat(restored("pitr_between").queryForObject("SELECT body_zstd FROM pages WHERE id = md5('9')", byte[].class)).isEqualTo(largeFrame());
        assertThat(toEnd.exitCode).as(toEnd.toString()).isZero();
        assertThat(checksum(restored("pitr_end"))).as("every row exactly as it was at the end").isEqualTo(atTheEnd);
        assertThat(toEnd.out).as("the search index is the snapshot's: the restore says so and who brings it level")
                .containsPattern("Search: \\d+ entries of page_search are as of the snapshot").contains("reconcile-at-start");
        assertThat(toPosition.exitCode).as(toPosition.toString()).isZero();
        assertThat(checksum(restored("pitr_position"))).as("every row as of the WAL position, without the transaction that straddles it")
                .isEqualTo(asOfPosition);

        ChangeArchive.Segment segment = archive.segments().get(0);
        String key = BUCKET.prefix() + "archive/" + segment.name();
        try (S3Client s3 = S3Server.shared().client()) {
            byte[] bytes = s3.getObjectAsBytes(request -> request.bucket(BUCKET.bucket()).key(key)).asByteArray();
            bytes[bytes.length / 2] ^= 0x20;
            s3.putObject(request -> request.bucket(BUCKET.bucket()).key(key), RequestBody.fromBytes(bytes));
        }
        CommandRun refused = backup("restore", "--to", end.toString(), "--to-database", "pitr_damaged");
        assertThat(refused.exitCode).isEqualTo(1);
        assertThat(refused.err).contains("refusing to restore").contains(segment.name() + ": SHA-256");
    }

    private static void insert(int from, int to, String title) {
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, metadata, content_hash, version, source_partition, source_offset)
                SELECT md5(n::text), 'https://pitr.example/' || n, 'pitr.example', ?, '<p>page ' || n || '</p>', now(),
                       jsonb_build_object('n', n), sha256(n::text::bytea), 1, n % 12, n
                FROM generate_series(?, ?) AS n""", title, from, to);
    }

    private static String ids(int from, int to) {
        StringBuilder ids = new StringBuilder();
        for (int n = from; n <= to; n++) {
            ids.append(ids.length() == 0 ? "" : ", ").append("md5('").append(n).append("')");
        }
        return ids.toString();
    }

    private static JdbcTemplate restored(String database) {
        return new JdbcTemplate(connections.withDatabase(database).dataSource());
    }

    /** A body that zstd cannot shrink much (so its frame is stored out of line), compressed as a worker stores it. */
    private static byte[] largeFrame() {
        java.util.Random random = new java.util.Random(9);
        StringBuilder body = new StringBuilder();
        while (body.length() < 6000) {
            body.append(Long.toString(random.nextLong(), 36));
        }
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            return compressor.compress(body.toString());
        }
    }

    private static String checksum(JdbcTemplate db) {
        return CommandRun.checksum(db, "pages"); // every column but the change feed's change_xid, a transaction id of one cluster
    }

    private CommandRun backup(String... args) {
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.putAll(S3Server.environment(BUCKET));
        return CommandRun.of(environment, args);
    }

}
