package dev.sluice.bench.invalidation;

import dev.sluice.infra.stack.Connections;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The first stage's limit: a second logical slot on the same publication, created when the measured load starts,
 * read to the end by a bare pgjdbc reader (the client Debezium uses, without Debezium) once the machine is quiet.
 * Its rate is what PostgreSQL's logical decoding of these changes can deliver here, with nothing else running.
 */
final class WalDecodingLimit implements AutoCloseable {

    private static final String SLOT = "sluice_bench_limit";

    record Result(long changes, Duration took) {
        double rate() {
            return changes / (took.toNanos() / 1e9);
        }
    }

    private final Connections connections;

    private WalDecodingLimit(Connections connections) {
        this.connections = connections;
    }

    /** Creates the slot: the WAL written from now on is what {@link #read()} decodes. */
    static WalDecodingLimit startingNow(Connections connections) throws Exception {
        try (Connection db = connections.dataSource().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("SELECT pg_create_logical_replication_slot('" + SLOT + "', 'pgoutput')");
        }
        return new WalDecodingLimit(connections);
    }

    /** Decodes everything written since the slot was created, counting the row changes (inserts, updates, deletes). */
    Result read() throws Exception {
        LogSequenceNumber end;
        try (Connection db = connections.dataSource().getConnection(); Statement sql = db.createStatement();
                ResultSet row = sql.executeQuery("SELECT pg_current_wal_lsn()")) {
            row.next();
            end = LogSequenceNumber.valueOf(row.getString(1));
            // one more published change after the end, so the reader always gets a message past it
            sql.execute("INSERT INTO cdc_heartbeat (id, at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET at = excluded.at");
        }
        Properties settings = new Properties();
        PGProperty.USER.set(settings, connections.postgresUser());
        PGProperty.PASSWORD.set(settings, connections.postgresPassword());
        PGProperty.REPLICATION.set(settings, "database");
        PGProperty.PREFER_QUERY_MODE.set(settings, "simple");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(settings, "10");
        long changes = 0;
        long started = System.nanoTime();
        try (Connection replication = DriverManager.getConnection(connections.jdbcUrl(), settings);
                PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(SLOT).withSlotOption("proto_version", 1).withSlotOption("publication_names", "sluice_cdc")
                        .withStatusInterval(1, TimeUnit.SECONDS).start()) {
            while (stream.getLastReceiveLSN().compareTo(end) < 0) {
                ByteBuffer message = stream.read();
                byte type = message.get(message.position()); // pgoutput: the message's kind first
                if ((type == 'I' || type == 'U' || type == 'D') && stream.getLastReceiveLSN().compareTo(end) < 0) {
                    changes++;
                }
            }
        }
        return new Result(changes, Duration.ofNanos(System.nanoTime() - started));
    }

    @Override
    public void close() throws Exception {
        try (Connection db = connections.dataSource().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");
        }
    }
}
