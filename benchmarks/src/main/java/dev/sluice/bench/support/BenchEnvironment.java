package dev.sluice.bench.support;

import dev.sluice.core.kafka.KafkaSecurity;
import dev.sluice.core.kafka.NativeCompression;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.stack.Stack;
import dev.sluice.infra.stack.StackOptions;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh stack for one benchmark run (durable, as in production: PostgreSQL fsyncs), the schema, an API key
 * without a practical rate limit, and the services under test as separate JVMs with throughput JVM settings.
 */
public final class BenchEnvironment implements AutoCloseable {

    private final Path directory;
    private final Stack stack;
    private final List<ServiceProcess> services = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Path home;
    private final List<PrintStream> logs = new ArrayList<>();
    private Admin admin; // created on first use, asked up to once a second (groupBacklog)

    private BenchEnvironment(Path directory, Stack stack, Path home) {
        this.directory = directory;
        this.stack = stack;
        this.home = home;
        environment.putAll(stack.connections().toEnvironment());
        environment.put("SLUICE_TOKENS_SECRETS", "benchmark-secret-for-consistency-tokens-0123456789");
        // The load comes from one address: read limits so high they never refuse, still checked on every read (their cost counts).
        for (String limit : List.of("KEYRATE", "KEYBURST", "ANONYMOUSRATE", "ANONYMOUSBURST")) {
            environment.put("SLUICE_API_READLIMIT_" + limit, "1000000000");
        }
    }

    public static BenchEnvironment start(Path home) {
        // The raw producers must compress the way the services do (they load native lz4 at start).
        System.out.println("lz4 in this JVM: " + (NativeCompression.loadLz4() ? "native" : "Java"));
        try {
            Path directory = Files.createTempDirectory("sluice-bench");
            Stack stack = Stack.start(new StackOptions(directory, true, 0, 0, 0, StackOptions.defaultBinariesCache(), System.getenv()));
            BenchEnvironment environment = new BenchEnvironment(directory, stack, home);
            new SchemaMigrator(environment.dataSource()).migrate();
            return environment;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The run's scratch directory (removed on close). */
    public Path directory() {
        return directory;
    }

    public Connections connections() {
        return stack.connections();
    }

    public Stack stack() {
        return stack;
    }

    public PGSimpleDataSource dataSource() {
        return connections().dataSource();
    }

    /** Creates a topic (12 partitions, the default of pages.v1) before anything writes to it, unless it exists. */
    public void createTopicIfAbsent(String name) {
        try {
            Admin admin = admin();
            if (admin.listTopics().names().get().contains(name)) {
                return;
            }
            admin.createTopics(List.of(new NewTopic(name, 12, (short) 1))).all().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create " + name, e.getCause());
        }
    }

    /**
     * Records of {@code topic} the consumer group {@code group} has not committed yet (all partitions; a group that
     * never committed counts from the start).
     */
    public long groupBacklog(String group, String topic) {
        try {
            Admin admin = admin();
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .forEach(partition -> latest.put(new TopicPartition(topic, partition.partition()), OffsetSpec.latest()));
            long backlog = 0;
            for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : admin.listOffsets(latest).all().get().entrySet()) {
                OffsetAndMetadata position = committed.get(end.getKey());
                backlog += end.getValue().offset() - (position == null ? 0 : position.offset());
            }
            return backlog;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot read the backlog of " + group + " on " + topic, e.getCause());
        }
    }

    /**
     * Bootstrap servers and security for the benchmarks' own Kafka clients: the stack's, or those of an external
     * cluster the environment names ({@code SLUICE_KAFKA_SECURITYPROTOCOL} and the rest, as the services read them).
     */
    public Map<String, Object> kafkaClient() {
        Map<String, String> variables = new HashMap<>(System.getenv());
        variables.putAll(connections().toEnvironment());
        Map<String, Object> client = new HashMap<>(KafkaSecurity.fromEnvironment(variables).clientProperties());
        client.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connections().kafkaBootstrap());
        return client;
    }

    private Admin admin() {
        if (admin == null) {
            admin = Admin.create(kafkaClient());
        }
        return admin;
    }

    public String createKey() {
        try (Connection db = DriverManager.getConnection(connections().jdbcUrl(), connections().postgresUser(), connections().postgresPassword())) {
            return ApiKeyRecords.create(db, "bench-" + System.nanoTime(), 10_000_000, 1_000_000, List.of("read", "write"));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code module}'s jar on a free port with extra environment, and waits until it is ready. */
    public ServiceProcess startService(String module, Map<String, String> extra) {
        ServiceProcess service = startServiceAsync(module, extra);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!service.isReady()) {
            if (!service.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(module + " did not become ready");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        return service;
    }

    /** Starts {@code module}'s jar on a free port with extra environment, without waiting for it. */
    public ServiceProcess startServiceAsync(String module, Map<String, String> extra) {
        Path jar = home.resolve(module).resolve("target").resolve("sluice-" + module + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("missing " + jar + ": build first (./mvnw -DskipTests package)");
        }
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.putAll(extra);
        // SLUICE_BENCH_<MODULE>_JAVA_OPTIONS (say, a JFR recording) goes to that service's JVM in any benchmark.
        String options = System.getenv("SLUICE_BENCH_" + module.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_JAVA_OPTIONS");
        if (options != null && !options.isBlank()) {
            env.merge("JAVA_TOOL_OPTIONS", options, (given, more) -> given + " " + more);
        }
        int port = FreePorts.pick();
        int managementPort = module.equals("api-service") ? FreePorts.pickOtherThan(port) : port; // the API's public port serves /v1/** only
        ServiceProcess service = new ServiceProcess(module, jar, port, managementPort, env, ServiceProcess.THROUGHPUT_JVM, logOf(module), null);
        service.start();
        services.add(service);
        return service;
    }

    /**
     * A service's output goes to {@code .sluice/bench-logs/<module>.log} of the checkout (kept after the run, replaced by
     * the next), so that a surprising figure can be looked into.
     */
    private PrintStream logOf(String module) {
        try {
            Path folder = Files.createDirectories(home.resolve(".sluice").resolve("bench-logs"));
            Path log = folder.resolve(module + (services.stream().anyMatch(s -> s.name().equals(module)) ? "-" + services.size() : "") + ".log");
            PrintStream out = new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8);
            logs.add(out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops every service started so far (gracefully, within {@code grace}). */
    public void stopServices(Duration grace) {
        services.forEach(service -> service.stop(grace));
        services.clear();
    }

    @Override
    public void close() {
        if (admin != null) {
            admin.close();
        }
        stopServices(Duration.ofSeconds(30));
        logs.forEach(PrintStream::close);
        stack.close();
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing the run for
        }
    }
}
