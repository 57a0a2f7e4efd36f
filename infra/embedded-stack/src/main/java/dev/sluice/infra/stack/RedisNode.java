package dev.sluice.infra.stack;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * A real Redis server as a child process: {@code redis-server} from the PATH (or {@code SLUICE_REDIS_SERVER}),
 * else the binary bundled with embedded-redis (Redis 6.2), so a machine with only a JDK still runs everything.
 * A durable node appends every write to a file under its directory, so a restart keeps the data.
 */
public final class RedisNode implements AutoCloseable {

    public static final String SERVER_BINARY_ENV = "SLUICE_REDIS_SERVER";

    private static final Logger log = LoggerFactory.getLogger(RedisNode.class);

    /** A server that takes clients only over TLS, as an ACL user (the default user is off). */
    public record Secured(String username, String password, TlsMaterial tls) {}

    private final Path directory;
    private final int port;
    private final boolean durable;
    private final File executable;
    private final Secured secured;
    private Process process;

    private RedisNode(Path directory, int port, boolean durable, File executable, Secured secured) {
        this.directory = directory;
        this.port = port;
        this.durable = durable;
        this.executable = executable;
        this.secured = secured;
    }

    /**
     * @param directory the server's working directory (its append-only file, when durable)
     * @param port port, or 0 for any free one
     * @param durable whether writes survive a restart (append-only file, fsync every second)
     */
    public static RedisNode start(Path directory, int port, boolean durable) {
        RedisNode node = new RedisNode(directory, FreePorts.require(port, "Redis"), durable, executable(directory), null);
        node.startServer();
        return node;
    }

    /**
     * A server that takes clients only over TLS (a certificate made at first start in {@code directory/tls}) as the
     * ACL user {@code username}; {@link #url()} carries the user and password, {@link #secured()} the certificate.
     *
     * @param password URL-safe: it is part of the URL
     */
    public static RedisNode startSecured(Path directory, String username, String password) {
        RedisNode node = new RedisNode(directory, FreePorts.pick(), false, executable(directory),
                new Secured(username, password, TlsMaterial.in(directory.resolve("tls"))));
        node.startServer();
        return node;
    }

    public Optional<Secured> secured() {
        return Optional.ofNullable(secured);
    }

    /** {@code redis://127.0.0.1:port}, or {@code rediss://user:password@127.0.0.1:port} when secured. */
    public String url() {
        return secured == null ? "redis://127.0.0.1:" + port
                : "rediss://" + secured.username() + ":" + secured.password() + "@127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized void restart() {
        stopServer();
        startServer();
    }

    private static File executable(Path directory) {
        String configured = System.getenv(SERVER_BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            return new File(configured);
        }
        Optional<File> onPath = onPath("redis-server");
        if (onPath.isPresent()) {
            return onPath.get();
        }
        try {
            Path bundled = directory.getParent() != null ? directory.getParent().resolve("redis-binary") : directory;
            Files.createDirectories(bundled);
            File file = ExecutableProvider.newJarResourceProvider(bundled.toFile()).get();
            log.info("redis-server is not on the PATH: using the bundled Redis 6.2 binary {}", file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("no redis-server on the PATH, and the bundled one cannot be unpacked", e);
        }
    }

    private static Optional<File> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            File candidate = new File(dir, name);
            if (candidate.isFile() && candidate.canExecute()) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private synchronized void startServer() {
        long started = System.nanoTime();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        // In its own session where possible (as pg_ctl does for PostgreSQL): a Ctrl-C in the terminal must not
        // stop Redis under the services; the owner stops it, last.
        onPath("setsid").ifPresent(setsid -> command.add(setsid.getAbsolutePath()));
        command.add(executable.getAbsolutePath());
        if (secured == null) {
            command.addAll(List.of("--port", Integer.toString(port)));
        } else {
            command.addAll(List.of("--port", "0", "--tls-port", Integer.toString(port),
                    "--tls-cert-file", secured.tls().certificate().toString(), "--tls-key-file", secured.tls().privateKey().toString(),
                    "--tls-auth-clients", "no",
                    "--user", "default", "off",
                    "--user", secured.username(), "on", ">" + secured.password(), "~*", "&*", "+@all"));
        }
        command.addAll(List.of(
                "--bind", "127.0.0.1",
                "--dir", directory.toAbsolutePath().toString(),
                "--save", "",
                "--protected-mode", "no",
                "--daemonize", "no",
                "--logfile", ""));
        if (durable) {
            command.addAll(List.of("--appendonly", "yes", "--appendfsync", "everysec"));
        } else {
            command.addAll(List.of("--appendonly", "no"));
        }
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + executable, e);
        }
        awaitPong();
        log.info("Redis ready at 127.0.0.1:{}{} in {} ms ({})", port, secured == null ? "" : " (TLS)", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), executable);
    }

    private void awaitPong() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see "
                        + directory.resolve("redis.log"));
            }
            if (command("PING").equals(Optional.of("+PONG"))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Redis did not answer PING on port " + port);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** Sends one inline command; the first reply line, or empty if the server cannot be reached. */
    private Optional<String> command(String inline) {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress("127.0.0.1", port), 500);
            plain.setSoTimeout(5000);
            Socket socket = secured == null ? plain
                    : secured.tls().clientContext().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
            OutputStream out = socket.getOutputStream();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            if (secured != null) {
                out.write(("AUTH " + secured.username() + " " + secured.password() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (!"+OK".equals(in.readLine())) {
                    return Optional.empty();
                }
            }
            out.write((inline + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return Optional.ofNullable(in.readLine());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private synchronized void stopServer() {
        if (process == null) {
            return;
        }
        // SHUTDOWN flushes the append-only file; a durable node loses nothing on a clean stop.
        command("SHUTDOWN");
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    @Override
    public void close() {
        stopServer();
    }
}
