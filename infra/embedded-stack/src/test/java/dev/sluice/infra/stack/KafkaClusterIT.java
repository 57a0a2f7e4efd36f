package dev.sluice.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers, each a JVM of its own: a topic gets three replicas by default and min.insync.replicas 2, so writes
 * go on with one broker killed, are refused (never acknowledged) with two killed, and go on once one is back.
 */
class KafkaClusterIT {

    @TempDir
    Path directory;

    @Test
    void oneBrokerMayDieTwoStopAcknowledgedWritesAndARestartedOneRejoins() throws Exception {
        try (KafkaCluster cluster = KafkaCluster.inChildProcesses(directory, 3);
                Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic("replicated", 3, (short) -1))).all().get(30, TimeUnit.SECONDS);
            TopicDescription topic = admin.describeTopics(List.of("replicated")).allTopicNames().get(30, TimeUnit.SECONDS).get("replicated");
            assertThat(topic.partitions()).allSatisfy(partition -> assertThat(partition.replicas()).hasSize(3));

            try (KafkaProducer<String, String> producer = producer(cluster)) {
                send(producer, "before");
                cluster.broker(2).kill();
                send(producer, "one broker down");

                cluster.broker(3).kill();
                assertThatThrownBy(() -> send(producer, "two brokers down")).as("acks=all with one replica of three")
                        .isInstanceOf(ExecutionException.class);

                cluster.broker(3).startAgain();
                cluster.broker(2).startAgain();
                send(producer, "after");
            }
        }
    }

    private static KafkaProducer<String, String> producer(KafkaCluster cluster) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000", ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000",
                ProducerConfig.LINGER_MS_CONFIG, "0"), new StringSerializer(), new StringSerializer());
    }

    private static void send(KafkaProducer<String, String> producer, String value) throws Exception {
        for (int partition = 0; partition < 3; partition++) {
            producer.send(new ProducerRecord<>("replicated", partition, value, value)).get(60, TimeUnit.SECONDS);
        }
    }
}
