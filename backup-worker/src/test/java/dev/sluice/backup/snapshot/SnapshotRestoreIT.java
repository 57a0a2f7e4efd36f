package dev.sluice.backup.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backup.command.CommandRun;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.DirectoryStore;
import dev.sluice.backup.store.Manifest;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** Snapshots restore every row exactly; a damaged one is caught by its checksums; a crashed one is never listed. */
@SharedStackTest
class SnapshotRestoreIT {

    static final AtomicInteger restores = new AtomicInteger();
    static Connections connections;
    static JdbcTemplate db;

    @TempDir
    Path directory;

    @BeforeAll
    static void pipelineTablesWithAwkwardRows() throws Exception {
        connections = SharedStack.forTestClass(SnapshotRestoreIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        db.update("""
                INSERT INTO pages (id, url, site, title, body, content_type, status, fetched_at, metadata, content_hash, version,
                                   deleted_at, source_partition, source_offset)
                SELECT md5(n::text), 'https://s' || (n % 7) || '.example/' || n, 's' || (n % 7) || '.example',
                       CASE WHEN n % 5 = 0 THEN NULL ELSE E'T\\u00edtulo \\t "quoted" \\\\ back\\nline ' || n END,
                       repeat('<p>caf\u00e9 ' || n || E'</p>\\n', 1 + n % 40), 'text/html', 200,
                       timestamptz '2026-11-20 10:00:00+00' + n * interval '1 millisecond',
                       jsonb_build_object('crawler', 'c-' || (n % 3), 'n', n), sha256(n::text::bytea), 1 + n % 4,
                       CASE WHEN n % 97 = 0 THEN timestamptz '2026-11-21 00:00:00+00' END, n % 12, n
                FROM generate_series(1, 3000) AS n""");
        db.update("""
                INSERT INTO page_search (id, site, url, fetched_at, title, content, document, page_version)
                SELECT id, site, url, fetched_at, title, left(body, 100), to_tsvector('english', coalesce(title, '') || ' ' || body), version
                FROM pages WHERE deleted_at IS NULL""");
        db.update("INSERT INTO consumer_positions (consumer_group, topic, partition, next_offset) SELECT 'ingest', 'pages.v1', p, p * 1000 FROM generate_series(0, 11) p");
        try (Connection connection = connections.dataSource().getConnection()) {
            ApiKeyRecords.create(connection, "crawler-fleet", 500, 1000, List.of("write"));
        }
    }

    @Test
    void aSnapshotRestoresEveryRowExactly() throws Exception {
        CommandRun take = backup("take");
        assertThat(take.exitCode).as(take.toString()).isZero();
        assertThat(take.out).contains("4 tables");

        String target = "restored_" + restores.incrementAndGet();
        CommandRun restore = backup("restore", "--to-database", target);

        assertThat(restore.exitCode).as(restore.toString()).isZero();
        JdbcTemplate restored = new JdbcTemplate(connections.withDatabase(target).dataSource());
        for (String table : SnapshotWriter.TABLES) {
            assertThat(CommandRun.checksum(restored, table)).as(table + ", row by row").isEqualTo(CommandRun.checksum(db, table));
        }
        assertThat(restored.queryForObject("SELECT count(*) FROM pages", Long.class)).isEqualTo(3000);
        assertThat(new SchemaMigrator(connections.withDatabase(target).dataSource()).isUpToDate()).isTrue();
        CommandRun list = backup("list");
        assertThat(list.out).contains("1 backup(s)");
        CommandRun json = backup("list", "--json");
        assertThat(json.out.lines().map(line -> dev.sluice.core.json.Json.mapper().readTree(line)).toList()).singleElement()
                .satisfies(backup -> {
                    assertThat(backup.path("rows").asLong()).isPositive();
                    assertThat(backup.path("snapshot_at").asString()).isNotEmpty();
                    assertThat(backup.path("id").asString()).matches("\\d{8}T.*");
                });
    }

    @Test
    void aDamagedFileIsCaughtByVerifyAndRefusedByRestore() throws Exception {
        assertThat(backup("take").exitCode).isZero();
        Manifest backup = new BackupStore(new DirectoryStore(directory)).latest().orElseThrow();
        assertThat(backup("verify").out).contains("all checksums match");
        Path pages = directory.resolve(backup.id()).resolve("pages.copy.zst");
        try (FileChannel file = FileChannel.open(pages, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            file.read(one, 1000);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
            file.write(one, 1000); // one bit pattern flipped, the size unchanged
        }

        CommandRun verify = backup("verify");
        String target = "restored_" + restores.incrementAndGet();
        CommandRun restore = backup("restore", "--to-database", target);

        assertThat(verify.exitCode).isEqualTo(1);
        assertThat(verify.out).contains("damaged: pages.copy.zst: SHA-256");
        assertThat(restore.exitCode).isEqualTo(1);
        assertThat(restore.err).contains("damaged, refusing to restore").contains("pages.copy.zst");
        assertThat(db.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class, target))
                .as("nothing was created").isZero();
    }

    @Test
    void aFileThatDecodesButDisagreesWithItsChecksumIsCaughtAsItLoadsAndTheNewDatabaseIsDropped() throws Exception {
        assertThat(backup("take").exitCode).isZero();
        Manifest backup = new BackupStore(new DirectoryStore(directory)).latest().orElseThrow();
        Path manifest = directory.resolve(backup.id()).resolve(Manifest.FILE_NAME);
        String pagesChecksum = backup.tables().get(0).sha256();
        Files.writeString(manifest, Files.readString(manifest).replace(pagesChecksum, "0".repeat(64)));
        String target = "restored_" + restores.incrementAndGet();

        CommandRun restore = backup("restore", "--to-database", target);

        assertThat(restore.exitCode).isEqualTo(1);
        assertThat(restore.err).contains("damaged, refusing to restore")
                .contains("pages.copy.zst: SHA-256 " + pagesChecksum + ", the manifest says " + "0".repeat(64));
        assertThat(db.queryForObject("SELECT count(*) FROM pg_database WHERE datname = ?", Long.class, target))
                .as("the database the restore created is dropped").isZero();
    }

    @Test
    void aSnapshotThatFailsHalfwayLeavesNoCompleteLookingBackup() throws Exception {
        // a database whose last table is missing: the snapshot fails after writing the first three files
        String broken = "broken_" + restores.incrementAndGet();
        db.execute("CREATE DATABASE " + broken);
        new SchemaMigrator(connections.withDatabase(broken).dataSource()).migrate();
        new JdbcTemplate(connections.withDatabase(broken).dataSource()).execute("DROP TABLE api_keys");
        BackupStore store = new BackupStore(new DirectoryStore(directory));

        CommandRun take = CommandRun.of(environment(connections.withDatabase(broken)), "take", "--directory", directory.toString());

        assertThat(take.exitCode).isEqualTo(1);
        assertThat(take.err).contains("no table api_keys");
        assertThat(store.list()).isEmpty();
        try (var left = Files.list(directory)) {
            assertThat(left.toList()).as("the partial folder is removed").isEmpty();
        }

        // a writer killed before it completes leaves files without a manifest, one of them half written: never
        // listed, cleared by the next backup
        BackupStore.Pending crashed = store.begin("20261120T000000.000Z");
        try (var upload = crashed.create("pages.copy.zst")) {
            upload.stream().write(new byte[] {1, 2, 3});
            upload.commit();
        }
        var halfWritten = crashed.create("page_search.copy.zst");
        halfWritten.stream().write(new byte[] {4, 5, 6});
        halfWritten.stream().flush();
        assertThat(store.list()).isEmpty();
        Manifest next = new SnapshotWriter(connections.dataSource(), store, Clock.systemUTC(), 1).snapshot();
        try (var left = Files.list(directory)) {
            assertThat(left.map(path -> path.getFileName().toString()).toList()).containsExactly(next.id());
        }
    }

    @Test
    void aDrillRestoresIntoAScratchDatabaseAndComparesEveryRowWithTheSnapshot() throws Exception {
        assertThat(backup("take").exitCode).isZero();
        db.update("UPDATE pages SET title = 'changed after the snapshot' WHERE id = md5('1')"); // the drill compares with the snapshot, not now

        CommandRun drill = backup("drill");

        assertThat(drill.exitCode).as(drill.toString()).isZero();
        assertThat(drill.out).contains("passed: every table restored exactly").containsPattern("pages\\s+3,000 rows  identical");
        assertThat(db.queryForObject("SELECT count(*) FROM pg_database WHERE datname LIKE 'sluice_drill_%'", Long.class))
                .as("the scratch database is dropped").isZero();

        // a manifest whose row checksum disagrees with what its (intact) file restores: the drill says so
        Manifest backup = new BackupStore(new DirectoryStore(directory)).latest().orElseThrow();
        Path manifest = directory.resolve(backup.id()).resolve(Manifest.FILE_NAME);
        Files.writeString(manifest, Files.readString(manifest).replace(backup.tables().get(0).rawSha256(), "0".repeat(64)));
        CommandRun failed = backup("drill");
        assertThat(failed.exitCode).isEqualTo(1);
        assertThat(failed.out).contains("FAILED").contains("rows differ");
    }

    @Test
    void pruneDeletesExactlyWhatTheDryRunListed() throws Exception {
        BackupStore store = new BackupStore(new DirectoryStore(directory));
        java.time.Instant now = java.time.Instant.parse("2026-11-22T09:30:00Z");
        for (int day = 0; day < 20; day++) {
            java.time.Instant at = now.minus(java.time.Duration.ofDays(day)).minusSeconds(3600);
            String id = at.toString().replace(":", "").replace("-", "");
            store.begin(id).complete(new Manifest(Manifest.FORMAT, id, "9", "0/0", at, at.plusSeconds(1), List.of()));
        }
        dev.sluice.backup.archive.ChangeArchive archive = new dev.sluice.backup.archive.ChangeArchive(new DirectoryStore(directory));
        for (int daysAgo : new int[] {19, 10, 1}) {
            try (var segment = archive.next()) {
                long at = now.minus(java.time.Duration.ofDays(daysAgo)).toEpochMilli();
                segment.append(0, daysAgo, "k", at, "{\"op\":\"u\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                segment.complete();
            }
        }
        Map<String, String> clock = Map.of("SLUICE_BACKUP_NOW", now.toString());

        CommandRun dryRun = prune(clock, "--keep-last", "2", "--keep-daily", "5", "--keep-weekly", "0", "--keep-monthly", "0", "--dry-run");
        assertThat(store.list()).as("a dry run deletes nothing").hasSize(20);
        assertThat(archive.segments()).hasSize(3);
        assertThat(dryRun.out).contains("5 kept, 15 would be deleted").contains("2 segment(s) older than the oldest kept snapshot's range would be deleted");

        CommandRun prune = prune(clock, "--keep-last", "2", "--keep-daily", "5", "--keep-weekly", "0", "--keep-monthly", "0");
        assertThat(prune.out).contains("5 kept, 15 deleted");
        assertThat(store.list()).hasSize(5).allSatisfy(kept -> assertThat(kept.snapshotAt()).isAfter(now.minus(java.time.Duration.ofDays(5))));
        assertThat(archive.segments()).as("what the oldest kept snapshot's point-in-time range needs stays")
                .singleElement().satisfies(segment -> assertThat(segment.lastCommit()).isAfter(now.minus(java.time.Duration.ofDays(2))));
        try (var left = Files.list(directory)) {
            assertThat(left.toList()).hasSize(5 + 1); // the backups and the archive folder
        }
    }

    private CommandRun prune(Map<String, String> extra, String... args) {
        Map<String, String> environment = environment(connections);
        environment.putAll(extra);
        String[] all = new String[args.length + 3];
        all[0] = "prune";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--directory";
        all[args.length + 2] = directory.toString();
        return CommandRun.of(environment, all);
    }

    private CommandRun backup(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--directory";
        all[args.length + 1] = directory.toString();
        return CommandRun.of(environment(connections), all);
    }

    private static Map<String, String> environment(Connections connections) {
        return new HashMap<>(connections.toEnvironment());
    }

}
