package dev.sluice.infra.local;

import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.Stack;
import dev.sluice.infra.stack.StackOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * The whole pipeline on one machine: the embedded stack (data kept under one folder), then one process of each
 * service, N ingest workers by option. Each process's output is prefixed with its name; Ctrl-C stops the
 * services gracefully, then the stack.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Starts Kafka, PostgreSQL and Redis embedded, then the four Sluice services as separate processes.")
public final class LocalRun implements Callable<Integer> {

    @Option(names = "--workers", defaultValue = "1", description = "Ingest worker processes to start (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--data-dir", defaultValue = "${sys:sluice.home:-.}/.sluice", description = "Where the stack keeps its data between runs (default: .sluice in the checkout).")
    Path dataDirectory;

    @Option(names = "--api-port", defaultValue = "8080", description = "HTTP port of the API (default: ${DEFAULT-VALUE}).")
    int apiPort;

    @Option(names = "--brokers", defaultValue = "1",
            description = "Kafka brokers: 1, or 3 for a cluster whose topics have three replicas and min.insync.replicas 2 (default: ${DEFAULT-VALUE}).")
    int brokers;

    @Option(names = "--secured", description = "Kafka only over SASL_SSL, PostgreSQL only over TLS with a password, Redis only over TLS "
            + "as an ACL user (certificates and passwords made at first start in the data folder; ./sluice env shows the settings).")
    boolean secured;

    @Option(names = "--kafka-port", defaultValue = "19092", description = "Kafka port (of the first broker; the others follow it), 0 for any free one (default: ${DEFAULT-VALUE}).")
    int kafkaPort;

    @Option(names = "--postgres-port", defaultValue = "15432", description = "PostgreSQL port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int postgresPort;

    @Option(names = "--redis-port", defaultValue = "16379", description = "Redis port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int redisPort;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The Sluice checkout whose built jars to run (default: current directory).")
    Path home;

    @Option(names = "--ready-timeout", defaultValue = "180s", converter = DurationConverter.class,
            description = "How long to wait for every service to be ready (default: ${DEFAULT-VALUE}).")
    Duration readyTimeout;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        Path data = dataDirectory.toAbsolutePath().normalize();
        Files.createDirectories(data);
        List<Path> missing = jars().values().stream().filter(jar -> !Files.isRegularFile(jar)).toList();
        if (!missing.isEmpty()) {
            out.println("Missing service jars (build first: ./mvnw -DskipTests package): " + missing);
            return 2;
        }

        if (brokers != 1 && brokers != 3) {
            out.println("--brokers is 1 or 3 (a quorum that survives one failure), not " + brokers);
            return 2;
        }
        if (secured && brokers != 1) {
            out.println("--secured runs one broker");
            return 2;
        }
        out.println("Starting Kafka (" + brokers + (brokers == 1 ? " broker" : " brokers") + "), PostgreSQL and Redis" + (secured ? ", secured," : "")
                + " (data in " + data + ") ...");
        Stack stack = Stack.start(new StackOptions(data, true, kafkaPort, postgresPort, redisPort,
                StackOptions.defaultBinariesCache(), System.getenv(), brokers, secured));
        LocalSecrets secrets = LocalSecrets.loadOrCreate(data);
        Map<String, String> environment = new LinkedHashMap<>(stack.connections().toEnvironment());
        environment.put(LocalSecrets.TOKEN_SECRET, secrets.tokenSecret());
        Map<String, String> forCommands = new LinkedHashMap<>(environment); // ./sluice import etc. also need the API
        forCommands.put("SLUICE_API_URL", "http://localhost:" + apiPort);
        forCommands.put("SLUICE_BACKUP_DIRECTORY", data.resolve("backups").toString());
        writeEnvironmentFile(data, forCommands);
        Files.writeString(data.resolve("dev-api-key"), secrets.devKey() + "\n");

        Map<String, String> apiEnvironment = new LinkedHashMap<>(environment);
        apiEnvironment.put(LocalSecrets.DEV_KEY, secrets.devKey());
        // The development key writes up to 100,000 pages/s (DevKeyInstaller); it may read as fast. Reads without a key keep the defaults.
        apiEnvironment.put("SLUICE_API_READLIMIT_KEYRATE", "100000");
        apiEnvironment.put("SLUICE_API_READLIMIT_KEYBURST", "200000");
        List<ServiceProcess> services = services(environment, apiEnvironment);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("Stopping the services, then the stack ...");
            // Reverse start order: the API stops taking writes first.
            for (int i = services.size() - 1; i >= 0; i--) {
                services.get(i).stop(Duration.ofSeconds(30));
            }
            stack.close();
            out.println("Stopped. Data kept in " + data);
            stopped.countDown();
        }, "sluice-stop"));

        services.forEach(ServiceProcess::start);
        if (!awaitReady(services)) {
            out.println("Not every service became ready within " + readyTimeout.toSeconds() + " s; see their logs above. Ctrl-C stops everything.");
        } else {
            printSummary(stack.connections(), services, data, secrets.devKey());
        }
        stopped.await(); // until Ctrl-C (or SIGTERM) runs the shutdown hook
        return 0;
    }

    private Map<String, Path> jars() {
        Map<String, Path> jars = new LinkedHashMap<>();
        for (String module : List.of("ingest-worker", "cache-invalidator", "backup-worker", "api-service")) {
            jars.put(module, home.resolve(module).resolve("target").resolve("sluice-" + module + ".jar").toAbsolutePath().normalize());
        }
        return jars;
    }

    /** The ingest worker first: it migrates the schema the others wait for. The API last. */
    private List<ServiceProcess> services(Map<String, String> environment, Map<String, String> apiEnvironment) {
        Map<String, Path> jars = jars();
        boolean color = System.console() != null;
        List<ServiceProcess> services = new ArrayList<>();
        for (int i = 1; i <= workers; i++) {
            int port = i == 1 ? apiPort + 1 : apiPort + 10 + i;
            services.add(new ServiceProcess(workers == 1 ? "ingest" : "ingest-" + i, jars.get("ingest-worker"), port,
                    environment, ServiceProcess.QUICK_START_JVM, out, color ? "\u001B[34m" : null));
        }
        Map<String, String> invalidatorEnvironment = new java.util.HashMap<>(environment);
        invalidatorEnvironment.put("SLUICE_INVALIDATOR_STATEDIR", dataDirectory.toAbsolutePath().normalize().resolve("streams").toString()); // kept with the rest of the data
        services.add(new ServiceProcess("invalidator", jars.get("cache-invalidator"), apiPort + 2, invalidatorEnvironment,
                ServiceProcess.QUICK_START_JVM, out, color ? "\u001B[35m" : null));
        Map<String, String> backupEnvironment = new java.util.HashMap<>(environment);
        backupEnvironment.put("SLUICE_BACKUP_DIRECTORY", dataDirectory.toAbsolutePath().normalize().resolve("backups").toString());
        services.add(new ServiceProcess("backup", jars.get("backup-worker"), apiPort + 3, backupEnvironment, ServiceProcess.QUICK_START_JVM, out,
                color ? "\u001B[33m" : null));
        services.add(new ServiceProcess("api", jars.get("api-service"), apiPort, apiPort + 4, apiEnvironment, ServiceProcess.QUICK_START_JVM, out,
                color ? "\u001B[32m" : null));
        return services;
    }

    private boolean awaitReady(List<ServiceProcess> services) {
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        List<ServiceProcess> waiting = new ArrayList<>(services);
        while (!waiting.isEmpty() && System.nanoTime() < deadline) {
            waiting.removeIf(ServiceProcess::isReady);
            if (waiting.stream().anyMatch(service -> !service.isAlive())) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
        }
        return waiting.isEmpty();
    }

    private void printSummary(Connections connections, List<ServiceProcess> services, Path data, String devKey) {
        String processes = services.stream()
                .map(s -> String.format("    %-12s pid %-8d http://localhost:%d/actuator/health", s.name(), s.pid(), s.managementPort()))
                .collect(Collectors.joining("\n"));
        out.println("""

                Sluice is up.
                  API          http://localhost:%d/v1/pages
                  API key      %s   (development key 'local-dev'; also in %s)
                  Metrics      http://localhost:%d/actuator/prometheus   (each service on its own port, below; the API's apart from its public port)
                  Kafka        %s
                  PostgreSQL   %s  (user %s)
                  Redis        %s
                  Processes
                %s
                  Another process against the same stack:  set -a; . %s; set +a; java -jar <service jar> --server.port=<port>
                Ctrl-C stops everything; the data stays in %s.
                """.formatted(apiPort, devKey, data.resolve("dev-api-key"), apiPort + 4, connections.kafkaBootstrap(), connections.postgresUrl(), connections.postgresUser(),
                connections.redisUrl().replaceAll("//[^@/]*@", "//***@"), processes, data.resolve("env"), data));
    }

    private static void writeEnvironmentFile(Path data, Map<String, String> environment) {
        StringBuilder file = new StringBuilder("# Connection settings of the running local stack (sluice run).\n");
        environment.forEach((key, value) -> file.append(key).append("='").append(value.replace("'", "'\\''")).append("'\n"));
        try {
            Files.writeString(data.resolve("env"), file);
            try {
                Files.setPosixFilePermissions(data.resolve("env"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Accepts {@code 90s}, {@code 2m} or ISO-8601 ({@code PT90S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            if (v.startsWith("pt")) return Duration.parse(value);
            if (v.endsWith("ms")) return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            if (v.endsWith("s")) return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
            if (v.endsWith("m")) return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
            return Duration.ofSeconds(Long.parseLong(v));
        }
    }
}
