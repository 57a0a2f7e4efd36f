package dev.sluice.infra.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka, PostgreSQL and Redis for Sluice: each one started embedded, or, when the environment names it
 * ({@code SLUICE_KAFKA_BOOTSTRAP}, {@code SLUICE_PG_URL}, {@code SLUICE_REDIS_URL}), the external one used as is.
 * The three embedded services start in parallel. The tests and the local run share this code.
 */
public final class Stack implements AutoCloseable {

    /** The database the pipeline uses on an embedded server. */
    public static final String DATABASE = "sluice";

    /** The user of every service of a secured stack. */
    public static final String SECURED_USER = "sluice";

    private static final Logger log = LoggerFactory.getLogger(Stack.class);

    private final KafkaNode kafka;
    private final KafkaCluster kafkaCluster;
    private final PostgresNode postgres;
    private final RedisNode redis;
    private final Connections connections;

    private Stack(KafkaNode kafka, KafkaCluster kafkaCluster, PostgresNode postgres, RedisNode redis, Connections connections) {
        this.kafka = kafka;
        this.kafkaCluster = kafkaCluster;
        this.postgres = postgres;
        this.redis = redis;
        this.connections = connections;
    }

    public static Stack start(StackOptions options) {
        if (options.secured()) {
            return startSecured(options);
        }
        long started = System.nanoTime();
        var env = options.environment();
        String externalKafka = blankToNull(env.get(Connections.KAFKA_BOOTSTRAP));
        String externalPg = blankToNull(env.get(Connections.PG_URL));
        String externalRedis = blankToNull(env.get(Connections.REDIS_URL));

        boolean cluster = options.kafkaBrokers() > 1;
        CompletableFuture<KafkaNode> kafka = externalKafka != null || cluster ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> KafkaNode.start(options.directory().resolve("kafka"), options.kafkaPort()));
        CompletableFuture<KafkaCluster> kafkaCluster = externalKafka != null || !cluster ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> KafkaCluster.inProcess(options.directory().resolve("kafka-cluster"),
                        options.kafkaBrokers(), options.kafkaPort()));
        CompletableFuture<PostgresNode> postgres = externalPg != null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> {
                    PostgresNode node = PostgresNode.start(options.directory().resolve("postgres"),
                            options.binariesCache(), options.postgresPort(), options.durable());
                    createDatabaseIfAbsent(node.url("postgres"), DATABASE);
                    return node;
                });
        CompletableFuture<RedisNode> redis = externalRedis != null ? CompletableFuture.completedFuture(null)
                : CompletableFuture.supplyAsync(() -> RedisNode.start(options.directory().resolve("redis"), options.redisPort(), options.durable()));
        try {
            CompletableFuture.allOf(kafka, kafkaCluster, postgres, redis).join();
        } catch (CompletionException e) {
            // Stop whatever did start before reporting the failure.
            closeQuietly(redis.getNow(null));
            closeQuietly(postgres.getNow(null));
            closeQuietly(kafka.getNow(null));
            closeQuietly(kafkaCluster.getNow(null));
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        Connections connections = new Connections(
                externalKafka != null ? externalKafka : cluster ? kafkaCluster.join().bootstrapServers() : kafka.join().bootstrapServers(),
                externalPg != null ? externalPg : postgres.join().url(DATABASE),
                externalPg != null ? env.getOrDefault(Connections.PG_USER, PostgresNode.USER) : PostgresNode.USER,
                externalPg != null ? env.getOrDefault(Connections.PG_PASSWORD, "") : "",
                externalRedis != null ? externalRedis : redis.join().url());
        log.info("Stack ready in {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), connections);
        return new Stack(kafka.join(), kafkaCluster.join(), postgres.join(), redis.join(), connections);
    }

    /**
     * Kafka, PostgreSQL and Redis each secured (external services named by the environment are not supported here):
     * the passwords made at first start are kept in {@code directory/secured.properties}, the certificates beside
     * each service's data.
     */
    private static Stack startSecured(StackOptions options) {
        long started = System.nanoTime();
        Path directory = options.directory();
        Properties passwords = passwords(directory.resolve("secured.properties"));
        CompletableFuture<KafkaNode> kafka = CompletableFuture.supplyAsync(() ->
                KafkaNode.startSecured(directory.resolve("kafka"), SECURED_USER, passwords.getProperty("kafka")));
        CompletableFuture<PostgresNode> postgres = CompletableFuture.supplyAsync(() -> {
            PostgresNode node = PostgresNode.startSecured(directory.resolve("postgres"), options.binariesCache(), SECURED_USER,
                    passwords.getProperty("postgres"));
            createDatabaseIfAbsent(node.url("postgres"), DATABASE);
            return node;
        });
        CompletableFuture<RedisNode> redis = CompletableFuture.supplyAsync(() ->
                RedisNode.startSecured(directory.resolve("redis"), SECURED_USER, passwords.getProperty("redis")));
        try {
            CompletableFuture.allOf(kafka, postgres, redis).join();
        } catch (CompletionException e) {
            closeQuietly(redis.getNow(null));
            closeQuietly(postgres.getNow(null));
            closeQuietly(kafka.getNow(null));
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        Map<String, String> security = new LinkedHashMap<>(kafka.join().secured().orElseThrow().clientEnvironment(kafka.join().bootstrapServers()));
        security.remove(Connections.KAFKA_BOOTSTRAP);
        security.put("SLUICE_REDIS_TRUSTSTORE", redis.join().secured().orElseThrow().tls().certificate().toString());
        Connections connections = new Connections(kafka.join().bootstrapServers(), postgres.join().securedUrl(DATABASE), SECURED_USER,
                passwords.getProperty("postgres"), redis.join().url(), security);
        log.info("Secured stack ready in {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), connections);
        return new Stack(kafka.join(), null, postgres.join(), redis.join(), connections);
    }

    /** One random password per service, made once and kept (readable by its owner only). */
    private static Properties passwords(Path file) {
        Properties passwords = new Properties();
        try {
            if (Files.exists(file)) {
                try (var in = Files.newInputStream(file)) {
                    passwords.load(in);
                }
            }
            boolean added = false;
            for (String service : List.of("kafka", "postgres", "redis")) {
                if (!passwords.containsKey(service)) {
                    passwords.setProperty(service, UUID.randomUUID().toString().replace("-", ""));
                    added = true;
                }
            }
            if (added) {
                Files.createDirectories(file.getParent());
                try (var out = Files.newOutputStream(file)) {
                    passwords.store(out, "passwords of the secured embedded stack");
                }
                try {
                    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system
                }
            }
            return passwords;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Connections connections() {
        return connections;
    }

    /** The embedded broker, for fault injection; empty when Kafka is external or a cluster. */
    public Optional<KafkaNode> kafka() {
        return Optional.ofNullable(kafka);
    }

    /** The embedded cluster of several brokers; empty when Kafka is external or a single broker. */
    public Optional<KafkaCluster> kafkaCluster() {
        return Optional.ofNullable(kafkaCluster);
    }

    /** The embedded PostgreSQL, for fault injection; empty when PostgreSQL is external. */
    public Optional<PostgresNode> postgres() {
        return Optional.ofNullable(postgres);
    }

    /** The embedded Redis, for fault injection; empty when Redis is external. */
    public Optional<RedisNode> redis() {
        return Optional.ofNullable(redis);
    }

    /** Creates a database on the stack's PostgreSQL server unless it exists; returns its connections. */
    public Connections createDatabase(String name) {
        Connections forDatabase = connections.withDatabase(name);
        createDatabaseIfAbsent(connections.withDatabase("postgres"), name);
        return forDatabase;
    }

    private static void createDatabaseIfAbsent(String adminUrl, String name) {
        createDatabaseIfAbsent("jdbc:" + adminUrl, PostgresNode.USER, "", name);
    }

    private static void createDatabaseIfAbsent(Connections admin, String name) {
        createDatabaseIfAbsent(admin.jdbcUrl(), admin.postgresUser(), admin.postgresPassword(), name);
    }

    private static void createDatabaseIfAbsent(String jdbcUrl, String user, String password, String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("not a plain database name: " + name);
        }
        try (Connection connection = DriverManager.getConnection(jdbcUrl, user, password);
                Statement statement = connection.createStatement()) {
            try (ResultSet exists = statement.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                if (exists.next()) {
                    return;
                }
            }
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
    }

    /** Stops the embedded services: PostgreSQL, then Kafka, then Redis. */
    @Override
    public void close() {
        closeQuietly(postgres);
        closeQuietly(kafka);
        closeQuietly(kafkaCluster);
        closeQuietly(redis);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("Failed to stop {}", closeable.getClass().getSimpleName(), e);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
