package dev.sluice.infra.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.Stack;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@SharedStackTest
class SharedStackIT {

    @Test
    void aRecordProducedToTheBrokerIsConsumed(Connections connections) throws Exception {
        String topic = "stack-it-" + UUID.randomUUID();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", connections.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap());
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        RecordMetadata written;
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer())) {
            written = producer.send(new ProducerRecord<>(topic, "page-1", "hello")).get();
        }

        Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafkaBootstrap());
        consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "stack-it");
        consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }

        assertThat(received).singleElement().satisfies(record -> {
            assertThat(record.key()).isEqualTo("page-1");
            assertThat(record.value()).isEqualTo("hello");
            assertThat(record.partition()).isEqualTo(written.partition());
            assertThat(record.offset()).isEqualTo(written.offset());
        });
    }

    @Test
    void postgresqlCanCreateALogicalReplicationSlot(Connections connections) throws Exception {
        try (Connection connection = DriverManager.getConnection(connections.jdbcUrl(), connections.postgresUser(), connections.postgresPassword());
                Statement statement = connection.createStatement()) {
            try (ResultSet walLevel = statement.executeQuery("SHOW wal_level")) {
                assertThat(walLevel.next()).isTrue();
                assertThat(walLevel.getString(1)).isEqualTo("logical");
            }
            try (ResultSet version = statement.executeQuery("SHOW server_version_num")) {
                assertThat(version.next()).isTrue();
                assertThat(version.getInt(1)).isBetween(170000, 179999);
            }
            statement.execute("CREATE TABLE slot_probe (id int PRIMARY KEY)");
            statement.execute("CREATE PUBLICATION slot_probe_pub FOR TABLE slot_probe");
            statement.execute("SELECT pg_create_logical_replication_slot('stack_it_slot', 'pgoutput')");
            try (ResultSet slot = statement.executeQuery(
                    "SELECT slot_name, plugin FROM pg_replication_slots WHERE slot_name = 'stack_it_slot'")) {
                assertThat(slot.next()).isTrue();
                assertThat(slot.getString("slot_name")).isEqualTo("stack_it_slot");
                assertThat(slot.getString("plugin")).isEqualTo("pgoutput");
            }
            statement.execute("INSERT INTO slot_probe VALUES (1)");
            try (ResultSet changes = statement.executeQuery(
                    "SELECT count(*) FROM pg_logical_slot_get_binary_changes('stack_it_slot', NULL, NULL,"
                            + " 'proto_version', '1', 'publication_names', 'slot_probe_pub')")) {
                assertThat(changes.next()).isTrue();
                assertThat(changes.getInt(1)).as("begin, relation, insert, commit").isGreaterThanOrEqualTo(3);
            }
            statement.execute("SELECT pg_drop_replication_slot('stack_it_slot')");
        }
    }

    @Test
    void redisAnswers(Connections connections) {
        RedisClient client = RedisClient.create(connections.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            assertThat(connection.sync().ping()).isEqualTo("PONG");
            connection.sync().set("stack-it", "value");
            assertThat(connection.sync().get("stack-it")).isEqualTo("value");
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Test
    void eachTestClassGetsItsOwnDatabaseOnTheSharedServer(Stack stack, Connections connections) {
        assertThat(connections.database()).isEqualTo("shared_stack_it");
        assertThat(connections.kafkaBootstrap()).isEqualTo(stack.connections().kafkaBootstrap());
        assertThat(connections.postgresUrl()).isNotEqualTo(stack.connections().postgresUrl());
    }
}
