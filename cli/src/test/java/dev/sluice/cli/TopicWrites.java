package dev.sluice.cli;

import static org.awaitility.Awaitility.await;

import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageUrl;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Writes {@code pages.v1} records as the API does, with chosen record timestamps, for replays to read. */
public final class TopicWrites implements AutoCloseable {

    private static final EnvelopeCodec CODEC = new EnvelopeCodec();

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public TopicWrites(String bootstrap, String topic, int partitions) {
        this.topic = topic;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // the records carry fixed times (replays select by them) that age: under the broker's default retention of
            // 7 days its next check (every 5 minutes) would delete them between a write and the replay that reads it
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(Map.of("retention.ms", "-1")))).all().get();
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get()
                    .get(topic).partitions().stream().allMatch(p -> p.leader() != null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new ByteArraySerializer());
    }

    public static Page page(String url, Instant fetchedAt, String body) {
        return new Page(PageUrl.parse(url), fetchedAt, 200, "Title of " + url, "text/html", body,
                Json.mapper().createObjectNode().put("crawler", "test"));
    }

    /** Sends an upsert stamped {@code recordTime} (as if the API accepted it then) and waits until Kafka has it. */
    public RecordMetadata upsert(Page page, Instant recordTime) {
        return send(page.id(), CODEC.encode(PageEnvelope.upsert(page, recordTime, "test")), recordTime);
    }

    public RecordMetadata send(String key, byte[] value, Instant recordTime) {
        try {
            return producer.send(new ProducerRecord<>(topic, null, recordTime.toEpochMilli(), key, value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
