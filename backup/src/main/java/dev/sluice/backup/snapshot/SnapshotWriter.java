package dev.sluice.backup.snapshot;

import com.github.luben.zstd.ZstdOutputStream;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Checksums;
import dev.sluice.backup.store.Manifest;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consistent snapshot of the pipeline's tables: a single repeatable-read, read-only transaction streams each
 * table out with {@code COPY}, through zstd and SHA-256, into the store; nothing is ever held whole in memory.
 * The WAL position is read just before the snapshot is taken, so replaying the change archive from it can only
 * repeat changes the snapshot has (harmless: the apply path is fenced), never miss one.
 */
public final class SnapshotWriter {

    /** The pipeline's tables, in restore order. */
    public static final List<String> TABLES = Manifest.TABLES;

    private static final Logger log = LoggerFactory.getLogger(SnapshotWriter.class);
    private static final DateTimeFormatter ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final long PROGRESS_EVERY_BYTES = 256L << 20;
    /** The advisory lock a snapshot holds: {@code hashtext('sluice.backup.snapshot')}. */
    private static final String LOCK = "hashtext('sluice.backup.snapshot')";

    private final DataSource dataSource;
    private final BackupStore store;
    private final Clock clock;
    private final int zstdLevel;

    public SnapshotWriter(DataSource dataSource, BackupStore store, Clock clock, int zstdLevel) {
        if (zstdLevel < 1 || zstdLevel > 19) {
            throw new IllegalArgumentException("the zstd level must be 1 (fast) to 19 (small), not " + zstdLevel);
        }
        this.dataSource = dataSource;
        this.store = store;
        this.clock = clock;
        this.zstdLevel = zstdLevel;
    }

    public Manifest snapshot() throws IOException, SQLException {
        String id = ID.format(clock.instant());
        String schemaVersion = new SchemaMigrator(dataSource).currentVersion();
        try (Connection db = dataSource.getConnection()) {
            // one snapshot at a time (the schedule, a command, another worker): starting a backup clears what crashed ones left
            if (!"t".equals(query(db, "SELECT pg_try_advisory_lock(" + LOCK + ")"))) {
                throw new IllegalStateException("another snapshot of this database is being taken; try again when it is done");
            }
            try {
                return snapshot(db, id, schemaVersion);
            } finally {
                query(db, "SELECT pg_advisory_unlock(" + LOCK + ")");
            }
        }
    }

    private Manifest snapshot(Connection db, String id, String schemaVersion) throws IOException, SQLException {
        BackupStore.Pending pending = store.begin(id);
        try {
            String lsn = query(db, "SELECT pg_current_wal_lsn()::text");
            db.setAutoCommit(false);
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            db.setReadOnly(true);
            Instant snapshotAt = Instant.parse(query(db, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
            List<Manifest.TableFile> files = new ArrayList<>();
            for (String table : TABLES) {
                files.add(copyOut(db, pending, table));
            }
            db.commit();
            Manifest manifest = new Manifest(Manifest.FORMAT, id, schemaVersion, lsn, snapshotAt, clock.instant(), files);
            pending.complete(manifest);
            return manifest;
        } catch (IOException | SQLException | RuntimeException e) {
            if (!db.getAutoCommit()) {
                db.rollback();
            }
            pending.abandon();
            throw e;
        } finally {
            db.setReadOnly(false);
            db.setAutoCommit(true);
        }
    }

    private Manifest.TableFile copyOut(Connection db, BackupStore.Pending pending, String table) throws IOException, SQLException {
        String columns = columns(db, table);
        String file = table + ".copy.zst";
        long started = System.nanoTime();
        MessageDigest sha256 = Checksums.sha256();
        MessageDigest rawSha256 = Checksums.sha256();
        long rows;
        Counting stored;
        Counting raw;
        try (ObjectStore.Upload upload = pending.create(file)) {
            stored = new Counting(upload.stream(), null);
            ZstdOutputStream zstd = new ZstdOutputStream(new DigestOutputStream(stored, sha256), zstdLevel);
            raw = new Counting(new DigestOutputStream(zstd, rawSha256), table);
            rows = copyOut(db, table, columns, raw);
            raw.close(); // finishes the zstd frame
            upload.commit();
        }
        log.info("Snapshot {}: {} rows of {} ({} MB raw, {} MB stored) in {} ms", pending.id(), rows, table, raw.count >> 20,
                stored.count >> 20, (System.nanoTime() - started) / 1_000_000);
        return new Manifest.TableFile(table, file, columns, rows, raw.count, Checksums.hex(rawSha256), stored.count,
                Checksums.hex(sha256));
    }

    /**
     * The table as COPY text, in a session whose settings fix the text of every value (time zone, date and
     * interval styles, float digits, bytea format): a drill's COPY of the restored table must read the same.
     */
    public static long copyOut(Connection db, String table, String columns, OutputStream out) throws SQLException, IOException {
        try (Statement statement = db.createStatement()) {
            statement.execute("SET LOCAL TIME ZONE 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'iso_8601';"
                    + " SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'");
        }
        return db.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " (" + columns + ") TO STDOUT", out);
    }

    /**
     * The table's columns in order: a restore names them, so a column added later cannot shift the data. The change
     * feed's {@code change_xid} is left out: a transaction id of this cluster means nothing in another, and a restore
     * gives every row its own. Generated columns too (the fingerprint blocks of {@code page_search}): the restoring
     * server computes them.
     */
    static String columns(Connection db, String table) throws SQLException {
        try (var query = db.prepareStatement("""
                SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position)
                FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = ? AND column_name <> 'change_xid' AND is_generated = 'NEVER'""")) {
            query.setString(1, table);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                String columns = row.getString(1);
                if (columns == null) {
                    throw new SQLException("no table " + table + " (is the schema migrated?)");
                }
                return columns;
            }
        }
    }

    private static String query(Connection db, String sql) throws SQLException {
        try (Statement statement = db.createStatement(); ResultSet row = statement.executeQuery(sql)) {
            row.next();
            return row.getString(1);
        }
    }

    /** Counts the bytes through it; logs progress every 256 MB when named. */
    private static final class Counting extends FilterOutputStream {
        private final String table;
        long count;

        Counting(OutputStream out, String table) {
            super(out);
            this.table = table;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            advance(1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            advance(length);
        }

        private void advance(long n) {
            long before = count;
            count += n;
            if (table != null && before / PROGRESS_EVERY_BYTES != count / PROGRESS_EVERY_BYTES) {
                log.info("  {}: {} MB copied so far", table, count >> 20);
            }
        }
    }
}
