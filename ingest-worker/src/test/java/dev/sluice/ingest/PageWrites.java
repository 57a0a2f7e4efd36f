package dev.sluice.ingest;

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

/** Writes pages.v1 records as the API does (or deliberately not, for poison), for tests to feed the worker. */
public final class PageWrites implements AutoCloseable {

    private static final EnvelopeCodec CODEC = new EnvelopeCodec();

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;

    public PageWrites(String bootstrap, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer());
    }

    /** Creates a topic as the services would (they create theirs at start), for a test that writes first. */
    public static void createTopic(String bootstrap, String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
            // as the services do: an idempotent producer writing before every partition has a leader can be stuck
            // retrying its first request forever (KAFKA-15591)
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeTopics(List.of(topic)).allTopicNames().get()
                    .get(topic).partitions().stream().allMatch(p -> p.leader() != null));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    public static Page page(String url, String fetchedAt, String body) {
        return page(url, fetchedAt, "Title of " + url, body);
    }

    public static Page page(String url, String fetchedAt, String title, String body) {
        return new Page(PageUrl.parse(url), Instant.parse(fetchedAt), 200, title, "text/html", body,
                Json.mapper().createObjectNode().put("crawler", "test"));
    }

    public static String id(String url) {
        return PageUrl.parse(url).id();
    }

    /** Sends an upsert and waits until Kafka has it. */
    public RecordMetadata upsert(Page page) {
        return send(page.id(), CODEC.encode(PageEnvelope.upsert(page, Instant.now(), "test")));
    }

    /** Sends a delete accepted at {@code acceptedAt} (its ordering time) and waits until Kafka has it. */
    public RecordMetadata delete(String url, String acceptedAt) {
        return send(id(url), CODEC.encode(PageEnvelope.delete(id(url), Instant.parse(acceptedAt), "test")));
    }

    /** Sends these upserts without waiting for each, then waits for all. */
    public void upsertAll(List<Page> pages) {
        pages.forEach(page -> producer.send(new ProducerRecord<>(topic, page.id(), CODEC.encode(PageEnvelope.upsert(page, Instant.now(), "test")))));
        producer.flush();
    }

    /** Sends any bytes under any key: how poison gets in. */
    public RecordMetadata send(String key, byte[] value) {
        try {
            return producer.send(new ProducerRecord<>(topic, key, value)).get();
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
