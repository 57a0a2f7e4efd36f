package dev.sluice.ingest.consume;

import dev.sluice.core.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.stereotype.Component;

/**
 * Sends records that cannot be applied to {@code pages.v1.dlq}: the original key, value and headers, plus the
 * reason and where it came from. Returns only once Kafka acknowledged them, because the caller then moves past
 * them for good. A failure here is transient: the batch is retried, and the dead letters may be sent twice.
 */
@Component
class DeadLetters implements DisposableBean {

    static final String REASON = "sluice.dlq.reason";
    static final String SOURCE_TOPIC = "sluice.dlq.source-topic";
    static final String SOURCE_PARTITION = "sluice.dlq.source-partition";
    static final String SOURCE_OFFSET = "sluice.dlq.source-offset";
    static final String FAILED_AT = "sluice.dlq.failed-at";

    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final MeterRegistry meters;

    static final String DEAD_LETTERS = "sluice.ingest.dead.letters";

    DeadLetters(KafkaProperties kafka, Topics topics, MeterRegistry meters) {
        Map<String, Object> config = kafka.buildProducerProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, topics.pagesDeadLetters().spec().maxMessageBytes());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-ingest-dlq");
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        this.topic = topics.pagesDeadLetters().name();
        this.meters = meters;
        for (String kind : List.of("undecodable", "refused")) {
            meters.counter(DEAD_LETTERS, "kind", kind); // exported from the start at 0: an alert on its increase has a series
        }
    }

    /** Sends every record with its reason and waits for Kafka to have them all. */
    void send(List<ConsumerRecord<String, byte[]>> records, String reason, String kind) {
        List<Future<RecordMetadata>> sent = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topic, null,
                    record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), record.value());
            record.headers().forEach(header -> letter.headers().add(header));
            Headers headers = letter.headers();
            headers.add(REASON, reason.getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE_TOPIC, record.topic().getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE_PARTITION, Integer.toString(record.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(SOURCE_OFFSET, Long.toString(record.offset()).getBytes(StandardCharsets.UTF_8));
            headers.add(FAILED_AT, Instant.now().toString().getBytes(StandardCharsets.UTF_8));
            sent.add(producer.send(letter));
            // the fields apart too, for structured logs (LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs): one query finds a page's letters
            log.atWarn().addKeyValue("topic", record.topic()).addKeyValue("partition", record.partition())
                    .addKeyValue("offset", record.offset()).addKeyValue("page_id", record.key())
                    .log("Dead letter: {}-{}@{} (key {}): {}", record.topic(), record.partition(), record.offset(), record.key(), reason);
        }
        try {
            for (Future<RecordMetadata> future : sent) {
                future.get(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while sending dead letters", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Kafka did not take the dead letters: " + e, e);
        }
        meters.counter(DEAD_LETTERS, "kind", kind).increment(records.size());
    }

    @Override
    public void destroy() {
        producer.close(java.time.Duration.ofSeconds(10));
    }
}
