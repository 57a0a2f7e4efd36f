package dev.sluice.bench.ingest;

import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.SluiceJar;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.connect.cli.ConnectStandalone;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.json.JsonConverter;

/**
 * The peer a user would deploy instead of Sluice's ingest workers: Kafka Connect (standalone, in its own JVM) with
 * Debezium's JDBC sink connector, upsert mode, batches of 1,000, writing the same pages into the same {@code pages}
 * table. Its topic holds what such a user's producers would write for it: JSON with the schema in every record
 * (Connect's {@link JsonConverter}, its default converter), one field per column, the same columns a {@code COPY}
 * writes. The sink neither fences versions nor keeps its Kafka positions in the database: it does less than a worker.
 */
final class ConnectJdbcSink {

    /** The newest Debezium JDBC sink whose plugin archive Maven Central served here (3.6.1 and 3.6.3: refused). */
    static final String VERSION = "3.6.0.Final";
    private static final String ARTIFACT = "io.debezium:debezium-connector-jdbc:" + VERSION + ":tar.gz:plugin";

    /** What the benchmark waits for, named where it fails (Connect's own log says why). */
    static final String WHAT = "the Kafka Connect sink (see .sluice/bench-logs/kafka-connect-*.log)";

    private static final Schema JSON_TEXT = SchemaBuilder.string().name("io.debezium.data.Json").build();
    private static final Schema PAGE = SchemaBuilder.struct().name("pages")
            .field("id", Schema.STRING_SCHEMA)
            .field("url", Schema.STRING_SCHEMA)
            .field("site", Schema.STRING_SCHEMA)
            .field("title", Schema.OPTIONAL_STRING_SCHEMA)
            .field("body", Schema.OPTIONAL_STRING_SCHEMA)
            .field("content_type", Schema.OPTIONAL_STRING_SCHEMA)
            .field("status", Schema.OPTIONAL_INT16_SCHEMA)
            .field("fetched_at", Timestamp.SCHEMA)
            .field("metadata", JSON_TEXT)
            .field("content_hash", Schema.OPTIONAL_BYTES_SCHEMA)
            .field("version", Schema.INT64_SCHEMA)
            .field("source_partition", Schema.INT32_SCHEMA)
            .field("source_offset", Schema.INT64_SCHEMA)
            .build();

    private final JsonConverter converter = new JsonConverter();

    ConnectJdbcSink() {
        converter.configure(Map.of("schemas.enable", "true"), false);
    }

    /** The record the sink's user would produce for this row: JSON with its schema. */
    byte[] record(String topic, BenchRow row, long offset) {
        Struct page = new Struct(PAGE).put("id", row.id()).put("url", row.url()).put("site", row.site()).put("title", row.title())
                .put("body", row.body()).put("content_type", "text/html").put("status", (short) 200)
                .put("fetched_at", Date.from(row.fetchedAt())).put("metadata", row.metadata()).put("content_hash", row.contentHash())
                .put("version", 1L).put("source_partition", 0).put("source_offset", offset);
        return converter.fromConnectData(topic, PAGE, page);
    }

    /**
     * The connector's plugin folder, fetched from Maven Central by the project's Maven wrapper and unpacked into
     * {@code benchmarks/target/connect-plugins} the first time (about 58 MB: Hibernate and the JDBC drivers it ships).
     */
    static Path plugins(Path home) {
        Path plugins = home.resolve("benchmarks").resolve("target").resolve("connect-plugins").toAbsolutePath();
        Path connector = plugins.resolve("debezium-connector-jdbc");
        if (Files.isRegularFile(connector.resolve("debezium-connector-jdbc-" + VERSION + ".jar"))) {
            return plugins;
        }
        System.out.println("  fetching the Debezium JDBC sink " + VERSION + " (once) ...");
        try {
            Files.createDirectories(plugins);
            String wrapper = home.resolve(System.getProperty("os.name").startsWith("Windows") ? "mvnw.cmd" : "mvnw").toAbsolutePath().toString();
            run(home, List.of(wrapper, "-q", "-B", "-N", "dependency:copy", "-Dartifact=" + ARTIFACT,
                    "-DoutputDirectory=" + plugins, "-Dmdep.stripVersion=true"), "fetching " + ARTIFACT);
            Path fetched = plugins.resolve("debezium-connector-jdbc-plugin.tar.gz");
            if (!Files.isRegularFile(fetched)) {
                throw new IllegalStateException("Maven did not leave " + fetched);
            }
            run(plugins, List.of("tar", "xzf", fetched.toString()), "unpacking " + fetched);
            Files.delete(fetched);
            return plugins;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void run(Path directory, List<String> command, String what) throws IOException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start();
        try {
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException(what + " failed (" + String.join(" ", command) + ")");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Starts Kafka Connect standalone with the sink reading {@code topic} with {@code tasks} tasks. Its consumers read
     * committed records only, so a backlog written in one transaction appears to it at once, as to the workers.
     */
    static Process start(BenchEnvironment environment, Path home, String topic, int tasks) {
        try {
            Path directory = Files.createDirectories(environment.directory().resolve("connect-" + topic));
            Map<String, Object> client = environment.kafkaClient();
            List<String> worker = new ArrayList<>(List.of(
                    "key.converter=org.apache.kafka.connect.storage.StringConverter",
                    "value.converter=org.apache.kafka.connect.json.JsonConverter",
                    "value.converter.schemas.enable=true",
                    "offset.storage.file.filename=" + directory.resolve("offsets"),
                    "offset.flush.interval.ms=10000",
                    "plugin.path=" + plugins(home),
                    "listeners=http://127.0.0.1:" + FreePorts.pick(),
                    "consumer.isolation.level=read_committed",
                    "consumer.max.poll.records=1000",
                    "consumer.auto.offset.reset=earliest"));
            client.forEach((key, value) -> {
                worker.add(key + "=" + value);
                worker.add("consumer." + key + "=" + value);
            });
            var pg = environment.connections();
            List<String> connector = List.of(
                    "name=pages-jdbc-sink-" + topic,
                    "connector.class=io.debezium.connector.jdbc.JdbcSinkConnector",
                    "tasks.max=" + tasks,
                    "topics=" + topic,
                    "connection.url=" + pg.jdbcUrl(),
                    "connection.username=" + pg.postgresUser(),
                    "connection.password=" + pg.postgresPassword(),
                    "insert.mode=upsert",
                    "primary.key.mode=record_value",
                    "primary.key.fields=id",
                    "schema.evolution=none",
                    "collection.name.format=pages",
                    "table.name.format=pages",
                    "batch.size=1000",
                    "delete.enabled=false",
                    "use.time.zone=UTC");
            Path workerFile = Files.write(directory.resolve("worker.properties"), worker);
            Path connectorFile = Files.write(directory.resolve("connector.properties"), connector);
            List<String> command = SluiceJar.mainClass(home, ServiceProcess.THROUGHPUT_JVM, ConnectStandalone.class,
                    workerFile.toString(), connectorFile.toString());
            Path log = Files.createDirectories(home.resolve(".sluice").resolve("bench-logs")).resolve("kafka-connect-" + tasks + ".log");
            return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rows in {@code pages}: the sink keeps no positions of its own in the database, so its progress is the table's. */
    static long rows(DataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT count(*) FROM pages")) {
            result.next();
            return result.getLong(1);
        }
    }

    static String describe() {
        return "Kafka Connect " + org.apache.kafka.common.utils.AppInfoParser.getVersion() + " standalone + Debezium JDBC sink " + VERSION
                + " (upsert, batch 1,000, JSON with schemas)";
    }
}
