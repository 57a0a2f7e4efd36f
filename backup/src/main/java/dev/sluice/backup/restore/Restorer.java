package dev.sluice.backup.restore;

import com.github.luben.zstd.ZstdInputStream;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Checksums;
import dev.sluice.backup.store.Manifest;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores a snapshot into a new database: refuses a backup with a file missing or of the wrong size, creates the
 * database, brings it to the snapshot's schema version, loads each table with {@code COPY} in one transaction
 * while checking the file's SHA-256 as it is read (each file is read once), checks the row counts against the
 * manifest, commits, then migrates to this build's schema. Any failure rolls back and drops the new database; a
 * file whose checksum differs is named.
 */
public final class Restorer {

    /** A backup that must not be restored: its files do not match the manifest. */
    public static final class DamagedBackupException extends IOException {
        public DamagedBackupException(String id, List<String> problems) {
            super("backup " + id + " is damaged, refusing to restore it: " + String.join("; ", problems));
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Restorer.class);
    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final BackupStore store;
    private final DataSource server;
    private final Function<String, DataSource> database;

    /**
     * @param server a connection to the server (any database) that may create databases
     * @param database a data source for a database of that server, by name
     */
    public Restorer(BackupStore store, DataSource server, Function<String, DataSource> database) {
        this.store = store;
        this.server = server;
        this.database = database;
    }

    /**
     * Drops the table's indexes other than its constraints' (as pg_restore does, they are built once after the
     * load, faster than maintained row by row); returns the statements that create them again.
     */
    private static List<String> dropSecondaryIndexes(Connection db, String table) throws SQLException {
        List<String> definitions = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        try (var query = db.prepareStatement("""
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ?
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""")) {
            query.setString(1, table);
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                    definitions.add(rows.getString(2));
                }
            }
        }
        try (Statement statement = db.createStatement()) {
            for (String name : names) {
                statement.execute("DROP INDEX " + name);
            }
        }
        return definitions;
    }

    /**
     * Drops the table's primary key and unique constraints that no foreign key relies on (pg_restore adds them
     * after the data too: one sorted build instead of an index maintained row by row); returns the statements
     * that add them again.
     */
    private static List<String> dropKeys(Connection db, String table) throws SQLException {
        List<String> definitions = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        try (var query = db.prepareStatement("""
                SELECT quote_ident(c.conname), pg_get_constraintdef(c.oid) FROM pg_constraint c
                WHERE c.conrelid = to_regclass(?) AND c.contype IN ('p', 'u')
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)""")) {
            query.setString(1, table);
            try (var rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                    definitions.add("ALTER TABLE " + table + " ADD CONSTRAINT " + rows.getString(1) + " " + rows.getString(2));
                }
            }
        }
        try (Statement statement = db.createStatement()) {
            for (String name : names) {
                statement.execute("ALTER TABLE " + table + " DROP CONSTRAINT " + name);
            }
        }
        return definitions;
    }

    /** @return rows restored per table, in the manifest's order */
    public List<Long> restore(Manifest backup, String target) throws IOException, SQLException {
        return restore(backup, target, true);
    }

    /** @param toLatestSchema migrate to this build's schema afterwards (a drill compares the rows as they were taken) */
    List<Long> restore(Manifest backup, String target, boolean toLatestSchema) throws IOException, SQLException {
        if (!NAME.matcher(target).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + target);
        }
        BackupVerifier verifier = new BackupVerifier(store);
        List<String> problems = verifier.verifySizes(backup);
        if (!problems.isEmpty()) {
            throw new DamagedBackupException(backup.id(), problems);
        }
        try (Connection db = server.getConnection(); Statement statement = db.createStatement()) {
            statement.execute("CREATE DATABASE " + target); // fails if it exists: a restore never overwrites
        }
        try {
            DataSource restored = database.apply(target);
            SchemaMigrator schema = new SchemaMigrator(restored);
            schema.migrateTo(backup.schemaVersion());
            List<Long> rows = load(backup, target, restored);
            if (toLatestSchema) {
                schema.migrate();
            }
            return rows;
        } catch (IOException | SQLException | RuntimeException e) {
            drop(server, target, e);
            if (!(e instanceof DamagedBackupException)) {
                List<String> damage = verifier.verify(backup); // a damaged file can fail the load before its checksum is complete
                if (!damage.isEmpty()) {
                    DamagedBackupException damaged = new DamagedBackupException(backup.id(), damage);
                    damaged.initCause(e);
                    throw damaged;
                }
            }
            throw e;
        }
    }

    private List<Long> load(Manifest backup, String target, DataSource restored) throws IOException, SQLException {
        List<Long> rows = new java.util.ArrayList<>();
        try (Connection db = restored.getConnection()) {
            db.setAutoCommit(false);
            try (Statement statement = db.createStatement()) {
                // a new database nobody reads yet: index builds may use memory, commits need not wait for the disk
                statement.execute("SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL synchronous_commit = off");
            }
            for (Manifest.TableFile table : backup.tables()) {
                long started = System.nanoTime();
                List<String> indexes = dropSecondaryIndexes(db, table.table());
                indexes.addAll(0, dropKeys(db, table.table()));
                try (Statement statement = db.createStatement()) {
                    statement.execute("TRUNCATE " + table.table()); // in this transaction: lets COPY freeze the rows as it writes them
                }
                MessageDigest sha256 = Checksums.sha256();
                long copied;
                try (DigestInputStream stored = new DigestInputStream(
                        new LoadProgress(new BufferedInputStream(store.open(backup, table.file()), 1 << 16), table.table(), table.storedBytes()), sha256);
                        InputStream in = new ZstdInputStream(stored)) {
                    copied = db.unwrap(PGConnection.class).getCopyAPI()
                            .copyIn("COPY " + table.table() + " (" + table.columns() + ") FROM STDIN WITH (FREEZE)", in);
                    stored.transferTo(OutputStream.nullOutputStream());
                }
                String disagreement = Checksums.disagreement(table.file(), Checksums.hex(sha256), table.sha256());
                if (disagreement != null) {
                    throw new DamagedBackupException(backup.id(), List.of(disagreement));
                }
                if (copied != table.rows()) {
                    throw new IOException(table.file() + ": " + copied + " rows read, the manifest says " + table.rows());
                }
                try (Statement statement = db.createStatement()) {
                    for (String index : indexes) {
                        statement.execute(index);
                    }
                }
                rows.add(copied);
                log.info("Restored {} rows of {} into {} in {} ms", copied, table.table(), target, (System.nanoTime() - started) / 1_000_000);
            }
            db.commit();
        }
        return rows;
    }

    /** Drops a database a failed restore created; a failure to drop it is added to {@code failure}. */
    static void drop(DataSource server, String target, Exception failure) {
        try (Connection db = server.getConnection(); Statement statement = db.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + target + " WITH (FORCE)");
        } catch (SQLException e) {
            failure.addSuppressed(e);
        }
    }
}
