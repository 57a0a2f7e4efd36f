package dev.sluice.backup.schedule;

import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.core.cdc.PageChangeEvent;
import dev.sluice.core.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Consumes {@code cdc.pages} into the change archive: events collect in a segment for
 * {@code sluice.backup.archive.segment-duration}, the segment is published complete, and only then are the
 * consumed offsets committed. A crash before the commit archives those events again in a later segment, which a
 * restore tolerates (it fences each page by the WAL position of its changes).
 *
 * <p>Several archivers (backup workers) share the partitions. Before partitions move in a rebalance, the open
 * segment is published and committed, so the next owner starts exactly after it. Every segment records the offsets
 * it covers per partition, from where this archiver stood: a position that jumped (a committed offset retention
 * removed, then reset to the earliest kept) shows as a hole a restore refuses to cross, and is reported here at once.
 */
@Component
class ChangeArchiver implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ChangeArchiver.class);

    private final ArchiveProperties properties;
    private final ChangeArchive archive;
    private final String topic;
    private final Map<String, Object> consumerConfig;
    private final Counter archived;
    private final Counter lost;
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;

    /** @param kafka Spring's Kafka settings: the bootstrap servers, and whatever security the cluster needs ({@code spring.kafka.*}) */
    ChangeArchiver(ArchiveProperties properties, ObjectStore objects, Topics topics, KafkaProperties kafka, MeterRegistry meters) {
        this.properties = properties;
        this.archive = new ChangeArchive(objects);
        this.topic = topics.cdcPages().name();
        Map<String, Object> config = new HashMap<>(kafka.buildConsumerProperties());
        config.remove(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG); // given as instances below
        config.remove(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG);
        config.putAll(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, properties.groupId(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, topics.cdcPages().spec().maxMessageBytes()));
        this.consumerConfig = Map.copyOf(config);
        this.archived = Counter.builder("sluice.backup.archive.events").description("Change events archived").register(meters);
        this.lost = Counter.builder("sluice.backup.archive.lost").description(
                "Change events removed by retention before they were archived: a point-in-time restore cannot cross them").register(meters);
    }

    /** What the archiver's consumer is configured with. */
    Map<String, Object> consumerConfig() {
        return consumerConfig;
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
                Session session = new Session(consumer);
                consumer.subscribe(List.of(topic), session);
                session.archive();
            } catch (Exception e) {
                log.error("Change archiving failed; starting over from the last committed position in 5 s", e);
                pause(Duration.ofSeconds(5));
            }
        }
    }

    /** One consumer's run: the open segment, and where it stands on each partition it owns. */
    private final class Session implements ConsumerRebalanceListener {
        private final KafkaConsumer<String, byte[]> consumer;
        private final Map<TopicPartition, OffsetAndMetadata> consumed = new HashMap<>();
        private final Map<TopicPartition, Long> standing = new HashMap<>();
        private ChangeArchive.Writer segment;
        private long openedAt;

        Session(KafkaConsumer<String, byte[]> consumer) {
            this.consumer = consumer;
        }

        void archive() throws IOException {
            try {
                while (running.get()) {
                    ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                    for (TopicPartition partition : records.partitions()) {
                        append(partition, records.records(partition));
                    }
                    if (segment != null && System.nanoTime() - openedAt >= properties.segmentDuration().toNanos()) {
                        publish();
                    }
                }
                publish();
            } finally {
                discard();
            }
        }

        private void append(TopicPartition partition, List<ConsumerRecord<String, byte[]>> records) throws IOException {
            if (segment == null) {
                segment = archive.next();
                openedAt = System.nanoTime();
            }
            long first = records.get(0).offset();
            long from = standing.getOrDefault(partition, first);
            if (first > from) {
                from = skippedFrom(partition, from);
            }
            for (ConsumerRecord<String, byte[]> record : records) {
                // a Kafka tombstone (after a delete event) is archived too: it marks its offset as read
                segment.append(record.partition(), record.offset(), record.key(), commitMillis(record), record.value());
                if (record.value() != null) {
                    archived.increment();
                }
            }
            long next = records.get(records.size() - 1).offset() + 1;
            segment.cover(partition.partition(), from, next);
            standing.put(partition, next);
            consumed.put(partition, new OffsetAndMetadata(next));
        }

        /**
         * The records of a partition begin past where this archiver stood. Offsets without records (transaction
         * markers) are no loss; records retention removed before they were read are: the segment then starts at the
         * log's start, leaving the hole for a restore to see, and it is reported now.
         */
        private long skippedFrom(TopicPartition partition, long stood) {
            long logStart = consumer.beginningOffsets(List.of(partition)).get(partition);
            if (logStart <= stood) {
                return stood;
            }
            lost.increment(logStart - stood);
            log.error("Change events {} to {} of {} were removed by retention before they were archived: a point-in-time restore "
                    + "cannot cross them (raise sluice.topics.cdc-pages.retention, or keep a backup worker running)", stood, logStart - 1, partition);
            return logStart;
        }

        /** Publishes the open segment, then commits what it holds. */
        private void publish() throws IOException {
            if (segment == null) {
                return;
            }
            ChangeArchive.Segment done = segment.complete();
            segment = null;
            consumer.commitSync(consumed);
            consumed.clear();
            log.info("Archived segment {}: {} change(s) committed from {} to {}", done.name(), done.events(), done.firstCommit(), done.lastCommit());
        }

        private void discard() throws IOException {
            if (segment != null) {
                segment.close(); // unpublished: removed; its events are read again from the committed position
                segment = null;
            }
            consumed.clear();
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            try {
                publish(); // the next owner starts right after what this one archived
            } catch (IOException | RuntimeException e) {
                log.warn("Could not publish the open segment before a rebalance; its changes are archived again by the next owner: {}",
                        e.toString());
                closeQuietly();
            }
            partitions.forEach(standing::remove);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            closeQuietly(); // too late to commit: the next owner archives them again
            partitions.forEach(standing::remove);
        }

        /** Where this archiver stands on each new partition: the committed offset (or the log's start for a new group). */
        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            partitions.forEach(partition -> standing.put(partition, consumer.position(partition)));
        }

        private void closeQuietly() {
            try {
                discard();
            } catch (IOException e) {
                log.debug("Discarding the open segment: {}", e.toString());
            }
        }
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
