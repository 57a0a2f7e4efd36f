package dev.sluice.infra.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Sluice service as a child process: its own JVM running its jar, its output prefixed line by line, stopped
 * with SIGTERM (the service shuts down gracefully) and killed only if it does not stop in time. Used by the local
 * run and the benchmarks.
 */
public final class ServiceProcess {

    /** Fast start-up for the local run: a quick JIT and a small collector. */
    public static final List<String> QUICK_START_JVM = List.of("-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
    /** Peak throughput for benchmarks: the JVM's defaults, a fixed heap. */
    public static final List<String> THROUGHPUT_JVM = List.of("-Xms1g", "-Xmx1g");


    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final Path jar;
    private final int port;
    private final int managementPort;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final String prefix;
    private final List<String> jvmOptions;
    private Process process;

    /**
     * @param out where its output goes, prefixed; null to discard it
     * @param color an ANSI color for the prefix, or null
     */
    public ServiceProcess(String name, Path jar, int port, Map<String, String> environment, List<String> jvmOptions,
            PrintStream out, String color) {
        this(name, jar, port, port, environment, jvmOptions, out, color);
    }

    /**
     * A service whose health and metrics are on a port of their own (the API's: its public port serves only the
     * API).
     */
    public ServiceProcess(String name, Path jar, int port, int managementPort, Map<String, String> environment,
            List<String> jvmOptions, PrintStream out, String color) {
        this.name = name;
        this.jar = jar;
        this.port = port;
        this.managementPort = managementPort;
        this.environment = environment;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.out = out;
        this.prefix = color == null ? String.format("[%-12s] ", name) : color + String.format("[%-12s]", name) + "\u001B[0m ";
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    /** Where {@code /actuator/**} answers: the service's port, or the API's management port. */
    public int managementPort() {
        return managementPort;
    }

    public long pid() {
        return process.pid();
    }

    public void start() {
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "--server.port=" + port, "--management.server.port=" + managementPort));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " from " + jar, e);
        }
        Thread pump = new Thread(this::pumpOutput, "log-" + name);
        pump.setDaemon(true);
        pump.start();
        process.onExit().thenAccept(exited -> {
            if (out != null && exited.exitValue() != 0 && exited.exitValue() != 130 && exited.exitValue() != 143) { // SIGINT, SIGTERM
                out.println(prefix + "exited with code " + exited.exitValue());
            }
        });
    }

    private void pumpOutput() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (out != null) {
                    out.println(prefix + line);
                }
            }
        } catch (IOException e) {
            // the process ended; nothing more to print
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Whether the service answers its readiness probe with 200. */
    public boolean isReady() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/actuator/health/readiness"))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL, as a crash would: no shutdown hook runs, nothing is flushed or committed on the way out. */
    public void kill() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then up to {@code grace} for a graceful shutdown, then SIGKILL. */
    public void stop(Duration grace) {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                if (out != null) {
                    out.println(prefix + "did not stop within " + grace.toSeconds() + " s: killing it");
                }
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static String javaExecutable() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }
}
