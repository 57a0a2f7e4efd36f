package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TcpProxy;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.store.schema.SchemaMigrator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The slot's reader cut off from PostgreSQL by a network partition (its packets held, its sockets open: the
 * server's side of its sessions stays alive for hours): a standby ends its sessions once they have been silent for
 * the lease, takes the slot over and publishes the changes written meanwhile; the cut-off reader stops reading.
 */
@SharedStackTest
class LeadershipPartitionIT {

    static final String TOPIC = "cdc.pages.partition-it";
    static final String SLOT = "sluice_cdc_partition_it";
    static final Duration LEASE = Duration.ofSeconds(4);
    static final Duration RETRY = Duration.ofMillis(500);

    static Connections connections;
    static JdbcTemplate db;

    @BeforeAll
    static void schema() throws Exception {
        connections = SharedStack.forTestClass(LeadershipPartitionIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1), new NewTopic(SLOT + ".offsets", 1, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
    }

    @Test
    void aStandbyTakesTheSlotFromALeaderCutOffByAPartitionWithinTheLease() {
        URI pg = URI.create(connections.postgresUrl());
        try (TcpProxy network = new TcpProxy(pg.getHost(), pg.getPort())) {
            CdcRunner leader = runner(connections.postgresUrl().replace(pg.getHost() + ":" + pg.getPort(), "127.0.0.1:" + network.port()));
            CdcRunner standby = runner(connections.postgresUrl());
            try {
                leader.start();
                await().atMost(Duration.ofSeconds(60)).until(leader::isLeading);
                awaitSlotRead(true);
                standby.start();
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !standby.isLeading());

                network.freeze(); // the leader's host drops off the network
                long cutAt = System.nanoTime();
                insert("fedcba9876543210fedcba9876543210", "written while the leader is cut off");

                await().atMost(Duration.ofSeconds(30)).until(standby::isLeading);
                Duration takeover = Duration.ofNanos(System.nanoTime() - cutAt);
                assertThat(takeover).as("the lease, a standby retry and the engine's start").isLessThan(LEASE.plus(Duration.ofSeconds(15)));
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC))
                        .extracting(ConsumerRecord::key).contains("fedcba9876543210fedcba9876543210"));
                await("the cut-off leader notices and stops reading").atMost(Duration.ofSeconds(30)).until(() -> !leader.isLeading());

                network.thaw(); // the partition heals: the old leader finds its sessions ended and stands by
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> !leader.isLeading() && standby.isLeading());
            } finally {
                standby.stop();
                leader.stop();
            }
        }
    }

    private static CdcRunner runner(String postgresUrl) {
        ConnectionProperties through = new ConnectionProperties(new ConnectionProperties.Kafka(connections.kafkaBootstrap(), "PLAINTEXT", "SCRAM-SHA-512", "", "", "", ""),
                new ConnectionProperties.Postgres(postgresUrl, connections.postgresUser(), connections.postgresPassword()),
                new ConnectionProperties.Redis(connections.redisUrl(), "sluice:", ""));
        CdcProperties settings = new CdcProperties(true, SLOT, "no_data", SLOT + ".offsets", Duration.ofMillis(50), Duration.ofSeconds(1),
                RETRY, LEASE);
        return new CdcRunner(settings, through, producer(), TOPIC, new SimpleMeterRegistry());
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static void insert(String id, String title) {
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                VALUES (?, 'https://partition.example/' || ?, 'partition.example', ?, '<p>x</p>', now(), 1, 0, 0)""", id, id, title);
    }

    private static void awaitSlotRead(boolean read) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.valueOf(read).equals(db.query(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?", result -> result.next() ? result.getBoolean(1) : null, SLOT)));
    }
}
