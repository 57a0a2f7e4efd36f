package dev.sluice.backup.restore;

import com.github.luben.zstd.ZstdInputStream;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Manifest;
import dev.sluice.core.schema.SchemaMigrator;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * Restores a snapshot into a new database: refuses a backup whose files do not match their checksums (naming
 * them), creates the database, brings it to the snapshot's schema version, loads each table with {@code COPY},
 * checks the row counts against the manifest, then migrates to this build's schema.
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

    /** @return rows restored per table, in the manifest's order */
    public List<Long> restore(Manifest backup, String target) throws IOException, SQLException {
        return restore(backup, target, true);
    }

    /** @param toLatestSchema migrate to this build's schema afterwards (a drill compares the rows as they were taken) */
    List<Long> restore(Manifest backup, String target, boolean toLatestSchema) throws IOException, SQLException {
        if (!NAME.matcher(target).matches()) {
            throw new IllegalArgumentException("not a plain database name: " + target);
        }
        List<String> problems = new BackupVerifier(store).verify(backup);
        if (!problems.isEmpty()) {
            throw new DamagedBackupException(backup.id(), problems);
        }
        try (Connection db = server.getConnection(); Statement statement = db.createStatement()) {
            statement.execute("CREATE DATABASE " + target); // fails if it exists: a restore never overwrites
        }
        DataSource restored = database.apply(target);
        SchemaMigrator schema = new SchemaMigrator(restored);
        schema.migrateTo(backup.schemaVersion());
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
                long copied;
                try (Statement statement = db.createStatement()) {
                    statement.execute("TRUNCATE " + table.table()); // in this transaction: lets COPY freeze the rows as it writes them
                }
                try (InputStream in = new ZstdInputStream(new BufferedInputStream(store.open(backup, table.file()), 1 << 16))) {
                    copied = db.unwrap(PGConnection.class).getCopyAPI()
                            .copyIn("COPY " + table.table() + " (" + table.columns() + ") FROM STDIN WITH (FREEZE)", in);
                }
                if (copied != table.rows()) {
                    db.rollback();
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
        if (toLatestSchema) {
            schema.migrate();
        }
        return rows;
    }
}
