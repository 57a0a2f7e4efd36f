package dev.sluice.invalidator.cdc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Which instance reads the replication slot: the one holding a PostgreSQL session-level advisory lock, on a
 * connection of its own. Chosen over Kafka group membership because the slot lives in PostgreSQL: the lock and
 * the slot share one failure domain, the lock dies with its session (a crashed or partitioned instance loses it
 * as PostgreSQL notices), and PostgreSQL itself refuses a second reader of an active slot, so even a stale leader
 * cannot read twice. Standbys simply retry taking the lock.
 */
final class SlotLeadership implements AutoCloseable {

    private final String jdbcUrl;
    private final Properties credentials;
    private final String slotName;
    private Connection session;

    SlotLeadership(String jdbcUrl, String user, String password, String slotName) {
        this.jdbcUrl = jdbcUrl;
        this.credentials = new Properties();
        credentials.setProperty("user", user);
        credentials.setProperty("password", password);
        credentials.setProperty("ApplicationName", "sluice-cdc-leadership");
        credentials.setProperty("tcpKeepAlive", "true");
        this.slotName = slotName;
    }

    /** Takes the lock if free; false if another instance holds it (or PostgreSQL cannot be reached). */
    synchronized boolean tryAcquire() {
        try {
            if (session == null || session.isClosed()) {
                session = DriverManager.getConnection(jdbcUrl, credentials);
            }
            try (PreparedStatement lock = session.prepareStatement("SELECT pg_try_advisory_lock(hashtext(?))")) {
                lock.setString(1, "sluice.cdc:" + slotName);
                try (ResultSet result = lock.executeQuery()) {
                    result.next();
                    return result.getBoolean(1);
                }
            }
        } catch (SQLException e) {
            closeQuietly();
            return false;
        }
    }

    /** Whether the session that holds the lock is still alive (if it is not, neither is the lock). */
    synchronized boolean stillHeld() {
        try {
            return session != null && session.isValid(5);
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
