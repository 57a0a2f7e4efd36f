package dev.sluice.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.stack.KafkaNode;
import dev.sluice.infra.stack.PostgresNode;
import dev.sluice.infra.stack.RedisNode;
import dev.sluice.infra.stack.StackOptions;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline on a secured stack: Kafka taking clients only over SASL_SSL (SCRAM-SHA-512), PostgreSQL only over TLS
 * with a password ({@code sslmode=verify-full}), Redis only over TLS as an ACL user, every certificate verified
 * (made at start with the JDK's keytool). The API (its producer, R2DBC and Lettuce), the ingest worker, the change
 * feed (Debezium, its offset store and its replication connection), Kafka Streams, the change archiver and the
 * command line (replay, backup, cache check) all connect through the documented settings; a wrong password, and a
 * connection without TLS, are refused.
 */
class SecuredPipelineIT {

    static final Path JARS = Path.of("..", "..");
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f]{32})\"");

    static Path data;
    static Connections connections;
    static KafkaNode kafka;
    static PostgresNode postgres;
    static RedisNode redis;
    static Map<String, String> environment;
    static final List<ServiceProcess> services = new ArrayList<>();
    static ServiceProcess api;
    static String key;
    static final HttpClient http = HttpClient.newHttpClient();
    /** Every service's output, here and on the console. */
    static final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    static final PrintStream logs = new PrintStream(new TeeOutputStream(System.out, logged), true, StandardCharsets.UTF_8);

    @BeforeAll
    static void pipelineOnASecuredStack() throws Exception {
        data = Files.createTempDirectory("secured-pipeline-it");
        String pgPassword = UUID.randomUUID().toString();
        postgres = PostgresNode.startSecured(data.resolve("postgres"), StackOptions.defaultBinariesCache(), "sluice", pgPassword);
        try (Connection admin = DriverManager.getConnection("jdbc:" + postgres.url("postgres"), PostgresNode.USER, "");
                Statement sql = admin.createStatement()) {
            sql.execute("CREATE DATABASE sluice OWNER sluice");
        }
        redis = RedisNode.startSecured(data.resolve("redis"), "sluice", UUID.randomUUID().toString().replace("-", ""));
        kafka = KafkaNode.startSecured(data.resolve("kafka"), "sluice", UUID.randomUUID().toString());
        connections = new Connections(kafka.bootstrapServers(), postgres.securedUrl("sluice"), "sluice", pgPassword, redis.url());
        new SchemaMigrator(connections.dataSource()).migrate();
        try (Connection db = connections.dataSource().getConnection()) {
            key = ApiKeyRecords.create(db, "crawler", 100_000, 100_000, List.of("write", "read"));
        }

        environment = new HashMap<>(connections.toEnvironment());
        environment.putAll(kafka.secured().orElseThrow().clientEnvironment(kafka.bootstrapServers()));
        environment.put("SLUICE_REDIS_TRUSTSTORE", redis.secured().orElseThrow().tls().certificate().toString());
                environment.put("SLUICE_TOKENS_SECRETS", "secured-kafka-it-secret-for-consistency-tokens-0123456789");
                environment.put("SLUICE_INVALIDATOR_STATEDIR", data.resolve("streams").toString());
        environment.put("SLUICE_BACKUP_DIRECTORY", data.resolve("backups").toString());
        environment.put("SLUICE_BACKUP_SCHEDULE", "-");
        environment.put("SLUICE_BACKUP_ARCHIVE_SEGMENTDURATION", "2s");
        environment.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs"); // JSON logs, as an operator would collect them

        services.add(service("ingest", "ingest-worker"));
        services.add(service("invalidator", "cache-invalidator"));
        services.add(service("backup", "backup-worker"));
        int apiPort = FreePorts.pick();
        api = new ServiceProcess("api", jar("api-service"), apiPort, FreePorts.pickOtherThan(apiPort), environment, ServiceProcess.QUICK_START_JVM,
                logs, null);
        services.add(api);
        services.forEach(ServiceProcess::start);
        await().atMost(Duration.ofMinutes(3)).until(() -> services.stream().allMatch(service -> service.isReady() || !service.isAlive()));
        assertThat(services).allSatisfy(service -> assertThat(service.isAlive()).as(service.name()).isTrue());
    }

    @AfterAll
    static void stop() {
        services.forEach(ServiceProcess::kill);
        for (AutoCloseable node : new AutoCloseable[] {kafka, redis, postgres}) {
            try {
                if (node != null) {
                    node.close();
                }
            } catch (Exception e) {
                // the rest still stop
            }
        }
    }

    @Test
    void everyClientConnectsSecuredAndAnythingElseIsRefused() throws Exception {
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:" + postgres.url("sluice") + "?sslmode=disable", "sluice",
                connections.postgresPassword()).close()).as("PostgreSQL without TLS").hasMessageContaining("no encryption");
        assertThatThrownBy(() -> DriverManager.getConnection("jdbc:" + postgres.securedUrl("sluice"), "sluice", "wrong").close())
                .as("PostgreSQL with a wrong password").hasMessageContaining("password authentication failed");

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(post("https://secured.example/" + i, "first", "2026-12-01T00:00:00Z"));
        }
        await().alias("the ingest worker consumed and applied every page").atMost(Duration.ofMinutes(1))
                .until(() -> count("SELECT count(*) FROM pages WHERE url LIKE 'https://secured.example/%'") == 20);

        assertThat(title(ids.get(0))).isEqualTo("first"); // and now it is cached
        post("https://secured.example/0", "second", "2026-12-02T00:00:00Z");
        await().alias("the change feed and Kafka Streams invalidated the cached page").atMost(Duration.ofMinutes(1))
                .until(() -> "second".equals(title(ids.get(0))));

        await().alias("the change archiver wrote a segment").atMost(Duration.ofMinutes(1)).until(() -> {
            try (Stream<Path> files = Files.walk(data.resolve("backups"))) {
                return files.anyMatch(Files::isRegularFile);
            } catch (IOException e) {
                return false;
            }
        });

        Path file = data.resolve("replayed.ndjson.gz");
        Command replay = sluice(environment, "replay", "--into", "file", "--file", file.toString(), "--max-rate", "0");
        assertThat(replay.exit()).as(replay.output()).isZero();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
            assertThat(lines.lines().count()).as("every record of pages.v1").isEqualTo(21);
        }

        Map<String, String> wrong = new HashMap<>(environment);
        wrong.put("SLUICE_KAFKA_PASSWORD", "not-the-password");
        Command refused = sluice(wrong, "replay", "--into", "file", "--file", data.resolve("refused.ndjson.gz").toString(), "--dry-run");
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output()).containsIgnoringCase("authentication").doesNotContain("\tat org.apache.kafka");

        Command backup = sluice(environment, "backup", "take");
        assertThat(backup.exit()).as(backup.output()).isZero();
        Command check = sluice(environment, "cache", "check");
        assertThat(check.output()).as("the cache check reads Redis over TLS").contains("cached page entries");
        assertThat(check.exit()).as(check.output()).isZero();
        assertThat(services).allSatisfy(service -> assertThat(service.isAlive()).as(service.name()).isTrue());
        assertLogsAreJsonWithoutASecret();
    }

    /** Structured logs: every line a JSON object, and no password, key or token secret anywhere in them. */
    private static void assertLogsAreJsonWithoutASecret() {
        String output;
        synchronized (logged) {
            output = logged.toString(StandardCharsets.UTF_8);
        }
        List<String> lines = output.lines().map(line -> line.replaceFirst("^\\[[^]]*] ", "")).filter(line -> !line.isBlank()).toList();
        assertThat(lines).hasSizeGreaterThan(50);
        assertThat(lines.stream().filter(line -> line.startsWith("{")).count()).as("JSON lines").isGreaterThan(lines.size() * 9L / 10);
        List<String> secrets = List.of(environment.get("SLUICE_KAFKA_PASSWORD"), environment.get("SLUICE_PG_PASSWORD"),
                environment.get("SLUICE_REDIS_URL").replaceAll(".*://[^:]*:([^@]*)@.*", "$1"), environment.get("SLUICE_TOKENS_SECRETS"), key,
                key.substring(13));
        assertThat(secrets).allSatisfy(secret -> assertThat(output).as("a secret in the logs").doesNotContain(secret));
    }

    private static String post(String url, String title, String fetchedAt) throws Exception {
        String body = "{\"url\":\"" + url + "\",\"fetched_at\":\"" + fetchedAt + "\",\"status\":200,\"title\":\"" + title
                + "\",\"content_type\":\"text/html\",\"body\":\"<p>" + title + "</p>\"}";
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + "/v1/pages"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        Matcher id = ID.matcher(response.body());
        assertThat(id.find()).isTrue();
        return id.group(1);
    }

    /** The title a plain read (the cache path, no consistency token) answers. */
    private static String title(String id) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + "/v1/pages/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher title = Pattern.compile("\"title\"\\s*:\\s*\"([^\"]*)\"").matcher(response.body());
        return response.statusCode() == 200 && title.find() ? title.group(1) : null;
    }

    private static long count(String sql) throws Exception {
        try (Connection db = connections.dataSource().getConnection(); Statement statement = db.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    record Command(int exit, String output) {}

    /** The one sluice jar, as an operator runs it, with {@code environment} only. */
    private static Command sluice(Map<String, String> environment, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JARS.resolve("cli/target/sluice-cli.jar").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SLUICE_"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        return new Command(process.exitValue(), output);
    }

    private static ServiceProcess service(String name, String module) {
        return new ServiceProcess(name, jar(module), FreePorts.pick(), environment, ServiceProcess.QUICK_START_JVM, logs, null);
    }

    private static Path jar(String module) {
        Path jar = JARS.resolve(module).resolve("target").resolve("sluice-" + module + ".jar");
        assertThat(jar).as("%s (built earlier in the reactor)", jar).isRegularFile();
        return jar;
    }
}
