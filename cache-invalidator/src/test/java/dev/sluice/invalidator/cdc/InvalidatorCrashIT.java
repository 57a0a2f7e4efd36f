package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/** The invalidator as deployed (its jar), killed with SIGKILL: the changes made while it was down still arrive. */
@SharedStackTest
class InvalidatorCrashIT {

    static final Path JAR = Path.of("target", "sluice-cache-invalidator.jar");
    static final String TOPIC = "cdc.pages.crash-it";
    static final String SLOT = "sluice_cdc_crash_it";

    static Connections connections;
    static JdbcTemplate db;
    ServiceProcess invalidator;

    @BeforeAll
    static void schema() {
        assertThat(JAR).as("the invalidator jar (built by the package phase)").isRegularFile();
        connections = SharedStack.forTestClass(InvalidatorCrashIT.class);
        PGSimpleDataSource dataSource = connections.dataSource();
        new SchemaMigrator(dataSource).migrate();
        db = new JdbcTemplate(dataSource);
    }

    @AfterEach
    void kill() {
        if (invalidator != null) {
            invalidator.kill();
        }
    }

    @Test
    void changesMadeWhileTheInvalidatorWasKilledArriveAfterItsRestart() {
        invalidator = start();
        awaitSlotActive(true);
        insert("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a");
        awaitPublished("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

        invalidator.kill();
        awaitSlotActive(false);
        insert("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "b");
        db.update("UPDATE pages SET title = 'a, edited while down', version = 2 WHERE id = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'");

        invalidator = start();
        awaitPublished("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC))
                .filteredOn(change -> change.key().equals("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") && change.value() != null
                        && new String(change.value()).contains("edited while down"))
                .hasSize(1));
    }

    private ServiceProcess start() {
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.put("SLUICE_TOPICS_CDCPAGES_NAME", TOPIC);
        environment.put("SLUICE_CDC_SLOTNAME", SLOT);
        environment.put("SLUICE_CDC_OFFSETSTOPIC", SLOT + ".offsets");
        environment.put("SLUICE_INVALIDATOR_APPLICATIONID", "crash-it");
        environment.put("SLUICE_INVALIDATOR_STATEDIR", Path.of("target", "streams-crash-it").toAbsolutePath().toString());
        ServiceProcess process = new ServiceProcess("invalidator", JAR, FreePorts.pick(), environment, ServiceProcess.QUICK_START_JVM,
                System.out, null);
        process.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> process.isReady() || !process.isAlive());
        assertThat(process.isAlive()).isTrue();
        return process;
    }

    private static void insert(String id, String title) {
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                VALUES (?, 'https://crash.example/' || ?, 'crash.example', ?, '<p>x</p>', now(), 1, 0, 0)""", id, id, title);
    }

    private static void awaitSlotActive(boolean active) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.valueOf(active).equals(db.query(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?", result -> result.next() ? result.getBoolean(1) : null, SLOT)));
    }

    private static void awaitPublished(String id) {
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC))
                .extracting(ConsumerRecord::key).contains(id));
    }
}
