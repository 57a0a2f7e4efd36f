package dev.sluice.backup.schedule;

import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.core.cdc.PageChangeEvent;
import dev.sluice.core.topic.Topics;
import dev.sluice.platform.connection.ConnectionProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code cdc.pages} into the change archive: events collect in a segment for
 * {@code sluice.backup.archive.segment-duration}, the segment is published complete, and only then are the
 * consumed offsets committed. A crash before the commit archives those events again in a later segment, which a
 * restore tolerates (it applies whole rows, in order).
 */
@Component
class ChangeArchiver implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangeArchiver.class);

    private final ArchiveProperties properties;
    private final ChangeArchive archive;
    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final Counter archived;
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    ChangeArchiver(ArchiveProperties properties, ObjectStore objects, Topics topics, ConnectionProperties connections,
            MeterRegistry meters) {
        this.properties = properties;
        this.archive = new ChangeArchive(objects);
        this.topic = topics.cdcPages().name();
        this.consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, connections.kafka().bootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, properties.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, topics.cdcPages().spec().maxMessageBytes());
        this.archived = Counter.builder("sluice.backup.archive.events").description("Change events archived").register(meters);
    }

    @Override
    public void start() {
        if (!properties.enabled()) {
            return;
        }
        running.set(true);
        thread = new Thread(this::run, "change-archiver");
        thread.start();
    }

    private void run() {
        while (running.get()) {
            try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
                consumer.subscribe(List.of(topic));
                archive(consumer);
            } catch (Exception e) {
                log.error("Change archiving failed; starting over from the last committed position in 5 s", e);
                pause(Duration.ofSeconds(5));
            }
        }
    }

    private void archive(KafkaConsumer<String, byte[]> consumer) throws IOException {
        ChangeArchive.Writer segment = null;
        long openedAt = 0;
        Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    positions.put(new TopicPartition(record.topic(), record.partition()), new OffsetAndMetadata(record.offset() + 1));
                    if (record.value() == null) {
                        continue; // the Kafka tombstone after a delete event
                    }
                    if (segment == null) {
                        segment = archive.next();
                        openedAt = System.nanoTime();
                    }
                    segment.append(record.partition(), record.offset(), record.key(), commitMillis(record), record.value());
                    archived.increment();
                }
                boolean due = System.nanoTime() - openedAt >= properties.segmentDuration().toNanos();
                if (segment != null && due) {
                    publish(segment, consumer, positions);
                    segment = null;
                } else if (segment == null && !positions.isEmpty()) {
                    consumer.commitSync(positions); // only tombstones: nothing to write, still done
                    positions.clear();
                }
            }
            if (segment != null) {
                publish(segment, consumer, positions);
                segment = null;
            }
        } finally {
            if (segment != null) {
                segment.close(); // unpublished: removed; its events are read again from the committed position
            }
        }
    }

    private void publish(ChangeArchive.Writer segment, KafkaConsumer<String, byte[]> consumer,
            Map<TopicPartition, OffsetAndMetadata> positions) throws IOException {
        ChangeArchive.Segment done = segment.complete();
        consumer.commitSync(positions);
        positions.clear();
        log.info("Archived segment {}: {} change(s) committed from {} to {}", done.name(), done.events(), done.firstCommit(), done.lastCommit());
    }

    /** The commit time the event carries; the record's time for one that does not say. */
    private static long commitMillis(ConsumerRecord<String, byte[]> record) {
        try {
            PageChangeEvent change = PageChangeEvent.read(record.key(), record.value());
            if (change != null && change.committedAt() != null) {
                return change.committedAt().toEpochMilli();
            }
        } catch (PageChangeEvent.Unreadable e) {
            log.warn("Archiving an unreadable change event as it is ({}): {}", new String(record.value(), 0,
                    Math.min(80, record.value().length), StandardCharsets.UTF_8), e.getMessage());
        }
        return record.timestamp();
    }

    @Override
    public void stop() {
        running.set(false);
        if (thread != null) {
            try {
                thread.join(Duration.ofSeconds(30).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
