package dev.sluice.cli.replay;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays records into another topic, each to the same partition number with its key, value, headers and
 * timestamp (so per-page order holds), in Kafka transactions that also commit the replay's position to its own
 * consumer group ({@code sluice-replay-<name>}): exactly once across interruptions, for readers that read
 * committed. The target topic is created with the source's partition count if it does not exist.
 */
final class TopicSink implements ReplaySink {

    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;
    private final String target;
    private final String group;
    private boolean targetReady;
    private long records;

    /** @param client bootstrap servers and security, as every client of the command takes them */
    TopicSink(Map<String, Object> client, String target, String name) {
        this.target = target;
        this.group = "sluice-replay-" + name;
        this.admin = Admin.create(client);
        Map<String, Object> config = new HashMap<>(client);
        config.putAll(Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, group,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 10));
        this.producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        producer.initTransactions(); // fences a previous run of this replay still alive somewhere
    }

    @Override
    public Map<Integer, Long> progress(String topic, Collection<Integer> partitions) {
        try {
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<Integer, Long> progress = new HashMap<>();
            committed.forEach((tp, offset) -> {
                if (offset != null && tp.topic().equals(topic) && partitions.contains(tp.partition())) {
                    progress.put(tp.partition(), offset.offset());
                }
            });
            return progress;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Map.of();
            }
            throw new IllegalStateException("cannot read the replay's progress: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the replay's progress: " + e, e);
        }
    }

    @Override
    public void forgetProgress(String topic) {
        try {
            admin.deleteConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw new IllegalStateException("cannot reset the replay's progress: " + e.getCause(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot reset the replay's progress: " + e, e);
        }
    }

    @Override
    public void write(String topic, List<ConsumerRecord<byte[], byte[]>> batch, Map<Integer, Long> nextOffsets) {
        ensureTarget(topic);
        producer.beginTransaction();
        for (ConsumerRecord<byte[], byte[]> record : batch) {
            producer.send(new ProducerRecord<>(target, record.partition(), record.timestamp(), record.key(), record.value(),
                    record.headers()));
        }
        producer.sendOffsetsToTransaction(nextOffsets.entrySet().stream().collect(Collectors.toMap(
                e -> new TopicPartition(topic, e.getKey()), e -> new OffsetAndMetadata(e.getValue()))), new ConsumerGroupMetadata(group));
        producer.commitTransaction();
        records += batch.size();
    }

    /** Creates the target like the source (its partition count) and waits for its partitions to have leaders. */
    private void ensureTarget(String source) {
        if (targetReady) {
            return;
        }
        try {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(target)) {
                int partitions = admin.describeTopics(List.of(source)).allTopicNames().get(30, TimeUnit.SECONDS).get(source).partitions().size();
                admin.createTopics(List.of(new NewTopic(target, java.util.Optional.of(partitions), java.util.Optional.empty())))
                        .all().get(30, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!admin.describeTopics(List.of(target)).allTopicNames().get(30, TimeUnit.SECONDS).get(target).partitions().stream()
                    .allMatch(p -> p.leader() != null)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the partitions of " + target + " have no leader");
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            targetReady = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the target topic " + target + ": " + e, e);
        }
    }

    @Override
    public String summary() {
        return "%,d record(s) written to topic %s".formatted(records, target);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
        admin.close(Duration.ofSeconds(10));
    }
}
