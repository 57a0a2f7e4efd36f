package dev.sluice.backup.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.command.CommandRun;
import dev.sluice.backup.snapshot.SnapshotWriter;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.unit.DataSize;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/** Backups in an S3-compatible bucket: taken, listed, verified, restored exactly, refused when damaged, pruned. */
@SharedStackTest
class S3BackupIT {

    static Connections connections;
    static JdbcTemplate db;
    static S3Properties bucket;

    @BeforeAll
    static void pagesLargerThanAnUploadPart() {
        connections = SharedStack.forTestClass(S3BackupIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        // 4,000 pages of random text: more than one 5 MB part once compressed, so the upload is a multipart one
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, metadata, version, source_partition, source_offset)
                SELECT md5(n::text), 'https://s3.example/' || n, 's3.example', E'T\\u00edtulo ' || n,
                       (SELECT string_agg(md5(random()::text || g || n), ' ') FROM generate_series(1, 100 + 0 * n) AS g),
                       timestamptz '2026-11-20 10:00:00+00' + n * interval '1 second', jsonb_build_object('n', n), 1, n % 12, n
                FROM generate_series(1, 4000) AS n""");
        bucket = S3Server.shared().newBucket("s3-backup-it", "team/sluice/", DataSize.ofMegabytes(5));
    }

    @Test
    void aSnapshotInABucketRestoresEveryRowExactlyAndADamagedOneIsRefused() throws Exception {
        CommandRun take = backup("take");
        assertThat(take.exitCode).as(take.toString()).isZero();
        Manifest backup = store().latest().orElseThrow();
        assertThat(backup.tables().get(0).storedBytes()).as("pages, uploaded in more than one part").isGreaterThan(5L << 20);
        assertThat(backup("list").out).contains(backup.id()).contains("1 backup(s) in s3://s3-backup-it/team/sluice/");
        assertThat(backup("verify").out).contains("all checksums match");

        CommandRun restore = backup("restore", "--to-database", "from_s3");

        assertThat(restore.exitCode).as(restore.toString()).isZero();
        JdbcTemplate restored = new JdbcTemplate(connections.withDatabase("from_s3").dataSource());
        for (String table : SnapshotWriter.TABLES) {
            assertThat(CommandRun.checksum(restored, table)).as(table + ", row by row").isEqualTo(CommandRun.checksum(db, table));
        }

        String key = "team/sluice/" + backup.id() + "/pages.copy.zst";
        try (S3Client s3 = S3Server.shared().client()) {
            byte[] bytes = s3.getObjectAsBytes(request -> request.bucket(bucket.bucket()).key(key)).asByteArray();
            bytes[bytes.length / 3] ^= 0x5a;
            s3.putObject(request -> request.bucket(bucket.bucket()).key(key), RequestBody.fromBytes(bytes));
        }
        CommandRun verify = backup("verify");
        CommandRun refused = backup("restore", "--to-database", "from_damaged_s3");
        assertThat(verify.exitCode).isEqualTo(1);
        assertThat(verify.out).contains("damaged: pages.copy.zst: SHA-256");
        assertThat(refused.exitCode).isEqualTo(1);
        assertThat(refused.err).contains("damaged, refusing to restore").contains("pages.copy.zst");
    }

    @Test
    void pruneDeletesOldBackupsAndTheArchiveTheyNeededFromTheBucket() throws Exception {
        S3Properties own = S3Server.shared().newBucket("s3-prune-it", "", DataSize.ofMegabytes(5));
        BackupStore store = new BackupStore(S3Store.connect(own));
        Instant now = Instant.parse("2026-11-22T09:30:00Z");
        for (int day = 0; day < 6; day++) {
            Instant at = now.minus(Duration.ofDays(day)).minusSeconds(3600);
            String id = at.toString().replace(":", "").replace("-", "");
            store.begin(id).complete(new Manifest(Manifest.FORMAT, id, "9", "0/0", at, at.plusSeconds(1), List.of()));
        }
        ChangeArchive archive = new ChangeArchive(store.objects());
        for (int daysAgo : new int[] {5, 1}) {
            try (ChangeArchive.Writer segment = archive.next()) {
                segment.append(0, daysAgo, "k", now.minus(Duration.ofDays(daysAgo)).toEpochMilli(), "{\"op\":\"u\"}".getBytes(StandardCharsets.UTF_8));
                segment.complete();
            }
        }
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.putAll(S3Server.environment(own));
        environment.put("SLUICE_BACKUP_NOW", now.toString());

        CommandRun prune = CommandRun.of(environment, "prune", "--keep-last", "2", "--keep-daily", "0", "--keep-weekly", "0",
                "--keep-monthly", "0");

        assertThat(prune.out).as(prune.toString()).contains("2 kept, 4 deleted").contains("1 segment(s)");
        assertThat(store.list()).hasSize(2);
        assertThat(archive.segments()).singleElement().satisfies(segment -> assertThat(segment.lastCommit()).isAfter(now.minus(Duration.ofDays(2))));
        assertThat(store.objects().list("")).as("nothing else left in the bucket").hasSize(2 + 2);
    }

    private static BackupStore store() {
        return new BackupStore(S3Store.connect(bucket));
    }

    private static CommandRun backup(String... args) {
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.putAll(S3Server.environment(bucket));
        return CommandRun.of(environment, args);
    }

}
