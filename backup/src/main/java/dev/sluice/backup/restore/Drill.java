package dev.sluice.backup.restore;

import dev.sluice.backup.snapshot.SnapshotWriter;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Checksums;
import dev.sluice.backup.store.Manifest;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * A restore rehearsal: restores a backup into a scratch database, reads every table back as COPY text and compares
 * it with what the snapshot read from the source (row count and SHA-256 of the text, in the manifest), then drops
 * the scratch database. A backup that passes restores to exactly the rows the source had at the snapshot.
 */
public final class Drill {

    public record TableResult(String table, long rows, boolean matches, String detail) {}

    public record Result(String backup, String scratchDatabase, List<TableResult> tables, Duration took) {
        public boolean passed() {
            return tables.stream().allMatch(TableResult::matches);
        }
    }

    private final BackupStore store;
    private final DataSource server;
    private final Function<String, DataSource> database;

    public Drill(BackupStore store, DataSource server, Function<String, DataSource> database) {
        this.store = store;
        this.server = server;
        this.database = database;
    }

    public Result run(Manifest backup) throws IOException, SQLException {
        long started = System.nanoTime();
        String scratch = "sluice_drill_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 4);
        try {
            new Restorer(store, server, database).restore(backup, scratch, false);
            List<TableResult> tables = new ArrayList<>();
            try (Connection db = database.apply(scratch).getConnection()) {
                db.setAutoCommit(false);
                for (Manifest.TableFile table : backup.tables()) {
                    tables.add(compare(db, table));
                }
                db.commit();
            }
            return new Result(backup.id(), scratch, tables, Duration.ofNanos(System.nanoTime() - started));
        } finally {
            try (Connection db = server.getConnection(); Statement statement = db.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
            }
        }
    }

    private static TableResult compare(Connection db, Manifest.TableFile table) throws SQLException, IOException {
        MessageDigest sha256 = Checksums.sha256();
        long rows;
        try (OutputStream text = new DigestOutputStream(OutputStream.nullOutputStream(), sha256)) {
            rows = SnapshotWriter.copyOut(db, table.table(), table.columns(), text);
        }
        String digest = Checksums.hex(sha256);
        if (rows != table.rows()) {
            return new TableResult(table.table(), rows, false, rows + " rows restored, " + table.rows() + " taken");
        }
        if (!digest.equals(table.rawSha256())) {
            return new TableResult(table.table(), rows, false, "rows differ: SHA-256 " + digest + ", taken " + table.rawSha256());
        }
        return new TableResult(table.table(), rows, true, "identical");
    }
}
