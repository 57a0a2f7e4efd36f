package dev.sluice.invalidator.cdc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instance reads the replication slot: the one holding a PostgreSQL session-level advisory lock, on a
 * connection of its own. Chosen over Kafka group membership because the slot lives in PostgreSQL: the lock and
 * the slot share one failure domain, and PostgreSQL itself refuses a second reader of an active slot.
 *
 * <p>The lock dies with its session, but a session whose client is cut off by a network partition can live on
 * for hours (until the server's TCP keepalive gives up on it), holding the lock while nothing reads the slot. So
 * leadership is also a lease: the leader checks its lock every second (a query, which PostgreSQL records as the
 * session's last activity), and a standby that finds the holder's session silent for longer than the lease ends
 * it ({@code pg_terminate_backend}) and takes the lock. Having taken it, it also ends any reader the slot still has
 * (the old leader's replication connection, cut off too), so its own engine can start. A leader that cannot reach
 * PostgreSQL within half the lease stops reading. Server-side TCP keepalives on the session end it sooner when the
 * client's host is gone altogether.
 */
final class SlotLeadership implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlotLeadership.class);

    /** The sessions holding the lock (a bigint key: high half in classid, low half in objid) that have been silent too long. */
    private static final String SILENT_HOLDERS = """
            WITH k AS (SELECT hashtext(?)::bigint AS key)
            SELECT a.pid FROM k, pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND l.classid::bigint = ((k.key >> 32) & 4294967295) AND l.objid::bigint = (k.key & 4294967295)
              AND clock_timestamp() - coalesce(a.state_change, a.backend_start) > make_interval(secs => ?)""";

    private final String jdbcUrl;
    private final Properties settings;
    private final String slotName;
    private final String lockName;
    private final Duration lease;
    private Connection session;

    SlotLeadership(String jdbcUrl, String user, String password, String slotName, Duration lease) {
        this.jdbcUrl = jdbcUrl;
        this.slotName = slotName;
        this.lockName = "sluice.cdc:" + slotName;
        this.lease = lease;
        this.settings = new Properties();
        settings.setProperty("user", user);
        settings.setProperty("password", password);
        settings.setProperty("ApplicationName", "sluice-cdc-leadership");
        settings.setProperty("tcpKeepAlive", "true");
        long halfLease = Math.max(1, lease.toSeconds() / 2);
        settings.setProperty("connectTimeout", Long.toString(halfLease));
        settings.setProperty("socketTimeout", Long.toString(halfLease)); // a partitioned leader's check fails, and it stops reading
        // the server gives up on this session's client when its host stops answering (the default waits for hours)
        settings.setProperty("options", "-c tcp_keepalives_idle=5 -c tcp_keepalives_interval=2 -c tcp_keepalives_count=3 -c tcp_user_timeout="
                + lease.toMillis());
    }

    /**
     * Takes the lock if free; false if another instance holds it (or PostgreSQL cannot be reached). A holder silent
     * for longer than the lease has its session ended, so that the next attempt can take the lock.
     */
    synchronized boolean tryAcquire() {
        try {
            if (session == null || session.isClosed()) {
                session = DriverManager.getConnection(jdbcUrl, settings);
            }
            try (PreparedStatement lock = session.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                lock.setString(1, lockName);
                try (ResultSet result = lock.executeQuery()) {
                    result.next();
                    if (result.getBoolean(1)) {
                        endFormerReader();
                        return true;
                    }
                }
            }
            endSilentHolders();
            return false;
        } catch (SQLException e) {
            closeQuietly();
            return false;
        }
    }

    private void endSilentHolders() throws SQLException {
        try (PreparedStatement query = session.prepareStatement(SILENT_HOLDERS)) {
            query.setString(1, lockName);
            query.setDouble(2, lease.toMillis() / 1000.0);
            try (ResultSet holders = query.executeQuery()) {
                while (holders.next()) {
                    int pid = holders.getInt(1);
                    log.warn("The reader of replication slot {} (session {}) has not been heard from for over {}: ending its session to take over",
                            slotName, pid, lease);
                    terminate(pid);
                }
            }
        }
    }

    /** The slot may still have a reader: the former leader's replication connection, if it was cut off too. */
    private void endFormerReader() throws SQLException {
        long deadline = System.nanoTime() + lease.toNanos();
        while (true) {
            Integer reader = null;
            try (PreparedStatement query = session.prepareStatement(
                    "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active AND active_pid <> pg_backend_pid()")) {
                query.setString(1, slotName);
                try (ResultSet row = query.executeQuery()) {
                    if (row.next()) {
                        reader = row.getInt(1);
                    }
                }
            }
            if (reader == null || System.nanoTime() > deadline) {
                return;
            }
            log.warn("Replication slot {} is still read by session {} of a former leader: ending it", slotName, reader);
            terminate(reader);
            try {
                Thread.sleep(100); // the session ends asynchronously; nothing to wait on but the catalog
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void terminate(int pid) throws SQLException {
        try (PreparedStatement terminate = session.prepareStatement("SELECT pg_terminate_backend(?)")) {
            terminate.setInt(1, pid);
            terminate.execute();
        }
    }

    /**
     * Whether this instance still holds the lock, asked of PostgreSQL: the check is also the lease's heartbeat. False
     * when the session is gone or PostgreSQL does not answer within half the lease.
     */
    synchronized boolean stillHeld() {
        if (session == null) {
            return false;
        }
        try (PreparedStatement check = session.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted)");
                ResultSet held = check.executeQuery()) {
            return held.next() && held.getBoolean(1);
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        closeQuietly(); // ending the session releases the lock
    }

    private void closeQuietly() {
        if (session != null) {
            try {
                session.close();
            } catch (SQLException e) {
                // the session is gone either way
            }
            session = null;
        }
    }
}
