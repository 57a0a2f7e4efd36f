package dev.sluice.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local run keeps its data under one folder: a second start must find what the first wrote. */
class DurableStackIT {

    @TempDir
    Path directory;

    @Test
    void aSecondStartOnTheSameFolderFindsTheDataOfTheFirst() throws Exception {
        StackOptions options = new StackOptions(directory, true, 0, 0, 0, StackOptions.defaultBinariesCache(), Map.of());

        try (Stack first = Stack.start(options)) {
            Connections c = first.connections();
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", c.kafkaBootstrap()))) {
                admin.createTopics(List.of(new NewTopic("kept", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                    Map.of("bootstrap.servers", c.kafkaBootstrap(), "acks", "all"), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>("kept", "k", "written by the first start")).get();
            }
            try (Connection db = DriverManager.getConnection(c.jdbcUrl(), c.postgresUser(), c.postgresPassword());
                    Statement sql = db.createStatement()) {
                try (ResultSet fsync = sql.executeQuery("SELECT setting FROM pg_settings WHERE name = 'fsync'")) {
                    fsync.next();
                    assertThat(fsync.getString(1)).as("a durable node syncs its writes (zonky's -F would turn it off)").isEqualTo("on");
                }
                sql.execute("CREATE TABLE kept (note text)");
                sql.execute("INSERT INTO kept VALUES ('written by the first start')");
            }
            withRedis(c, redis -> redis.set("kept", "written by the first start"));
        }

        try (Stack second = Stack.start(options)) {
            Connections c = second.connections();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                    Map.of("bootstrap.servers", c.kafkaBootstrap()), new StringDeserializer(), new StringDeserializer())) {
                TopicPartition partition = new TopicPartition("kept", 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                var records = consumer.poll(Duration.ofSeconds(10));
                assertThat(records.records(partition)).singleElement()
                        .satisfies(record -> assertThat(record.value()).isEqualTo("written by the first start"));
            }
            try (Connection db = DriverManager.getConnection(c.jdbcUrl(), c.postgresUser(), c.postgresPassword());
                    Statement sql = db.createStatement();
                    ResultSet rows = sql.executeQuery("SELECT note FROM kept")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("written by the first start");
            }
            withRedis(c, redis -> assertThat(redis.get("kept")).isEqualTo("written by the first start"));
        }
    }

    private static void withRedis(Connections c, java.util.function.Consumer<io.lettuce.core.api.sync.RedisCommands<String, String>> action) {
        RedisClient client = RedisClient.create(c.redisUrl());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            action.accept(connection.sync());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
