package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.json.Json;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.ContractSchemas;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.store.schema.SchemaMigrator;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Changes of {@code pages}, by any writer (here: SQL by hand), reach {@code cdc.pages} keyed by page id, with their
 * LSN and commit time; a standby takes the slot over when the reader stops, and misses nothing written between.
 */
@SharedStackTest
@SpringBootTest(properties = {
        "sluice.topics.cdc-pages.name=" + ChangeFeedIT.TOPIC,
        "sluice.cdc.slot-name=" + ChangeFeedIT.SLOT,
        "sluice.cdc.offsets-topic=" + ChangeFeedIT.SLOT + ".offsets",
        "sluice.cdc.heartbeat-interval=300ms",
        "sluice.invalidator.enabled=false"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChangeFeedIT {

    static final String TOPIC = "cdc.pages.feed-it";
    static final String SLOT = "sluice_cdc_feed_it";
    static final String ID = "0123456789abcdef0123456789abcdef";

    static JdbcTemplate db;
    static Connections connections;

    @Autowired
    CdcRunner runner;

    @Autowired
    ConnectionProperties connectionProperties;

    @Autowired
    Topics topics;

    @Autowired
    MeterRegistry meters;

    @BeforeAll
    static void schema() {
        connections = SharedStack.forTestClass(ChangeFeedIT.class);
        PGSimpleDataSource dataSource = connections.dataSource();
        new SchemaMigrator(dataSource).migrate(); // what the ingest worker does when it starts
        db = new JdbcTemplate(dataSource);
    }

    @Test
    @Order(1)
    void everyChangeByHandReachesTheFeedKeyedByPageIdWithItsPosition() {
        await().atMost(Duration.ofSeconds(60)).until(runner::isLeading);
        awaitSlotStreaming();

        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                VALUES (?, 'https://hand.example/a', 'hand.example', 'by hand', '<p>x</p>', now(), 1, 0, 0)""", ID);
        db.update("UPDATE pages SET title = 'edited by hand', version = version + 1 WHERE id = ?", ID);
        db.update("DELETE FROM pages WHERE id = ?", ID);

        List<ConsumerRecord<String, byte[]>> changes = awaitChanges(4);
        assertThat(changes).extracting(ConsumerRecord::key).containsOnly(ID);
        assertThat(changes.subList(0, 3)).extracting(change -> event(change).get("op").asString()).containsExactly("c", "u", "d");
        JsonNode update = event(changes.get(1));
        assertThat(update.get("after").get("title").asString()).isEqualTo("edited by hand");
        assertThat(update.get("after").get("version").asLong()).isEqualTo(2);
        assertThat(update.get("source").get("table").asString()).isEqualTo("pages");
        assertThat(update.get("source").get("lsn").asLong()).isPositive();
        assertThat(update.get("source").get("ts_ms").asLong()).isPositive();
        assertThat(changes.get(3).value()).as("the tombstone after a delete, for compaction").isNull();
        ContractSchemas schemas = ContractSchemas.load();
        assertThat(changes.subList(0, 3)).as("docs/schemas/cdc-page-event.schema.json describes the real events")
                .allSatisfy(change -> assertThat(schemas.violations("cdc-page-event.schema.json", event(change))).isEmpty());
    }

    @Test
    @Order(2)
    void heartbeatsConfirmTheFeedsPositionWithoutChangesOfPages() {
        await().atMost(Duration.ofSeconds(30)).until(() -> db.queryForObject("SELECT count(*) FROM cdc_heartbeat", Long.class) == 1);
        String confirmed = confirmedFlushLsn();
        await().atMost(Duration.ofSeconds(30)).until(() -> !confirmedFlushLsn().equals(confirmed));
        assertThat(meters.get("sluice.cdc.slot.lag").gauge().value()).as("the WAL the slot holds back, in bytes")
                .isFinite().isNotNegative().isLessThan(64L * 1024 * 1024);
        assertThat(meters.get("sluice.cdc.queue.remaining").gauge().value()).as("Debezium's queue, read from its MBean").isPositive();
        assertThat(meters.get("sluice.cdc.behind.source").gauge().value()).isFinite();
    }

    private static String confirmedFlushLsn() {
        return db.queryForObject("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = ?", String.class, SLOT);
    }

    @Test
    @Order(3)
    void aStandbyTakesOverTheSlotAndMissesNothingWrittenMeanwhile() {
        CdcProperties standbySettings = new CdcProperties(true, SLOT, "no_data", SLOT + ".offsets", Duration.ofMillis(50),
                Duration.ofSeconds(10), Duration.ofMillis(500), Duration.ofSeconds(15));
        CdcRunner standby = new CdcRunner(standbySettings, connectionProperties, producer(), TOPIC, new SimpleMeterRegistry());
        standby.start();
        try {
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> !standby.isLeading());

            runner.stop(); // the reader goes away
            db.update("""
                    INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                    VALUES ('fedcba9876543210fedcba9876543210', 'https://hand.example/b', 'hand.example', 'while nobody reads',
                            '<p>y</p>', now(), 1, 0, 0)""");

            await().atMost(Duration.ofSeconds(60)).until(standby::isLeading);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC))
                    .extracting(ConsumerRecord::key).contains("fedcba9876543210fedcba9876543210"));
        } finally {
            standby.stop();
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void awaitSlotStreaming() {
        await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.TRUE.equals(db.query(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?", result -> result.next() ? result.getBoolean(1) : null, SLOT)));
    }

    private static List<ConsumerRecord<String, byte[]>> awaitChanges(int count) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC),
                records -> records.size() >= count);
    }

    private static JsonNode event(ConsumerRecord<String, byte[]> record) {
        return Json.mapper().readTree(new String(record.value(), StandardCharsets.UTF_8));
    }
}
