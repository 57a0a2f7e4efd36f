package dev.sluice.cli.replay;

import dev.sluice.cli.support.Progress;
import dev.sluice.cli.support.Throttle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the ranges with a consumer that is in no group (assigned partitions, no offset commits: the live group's
 * positions cannot move) and hands them to a sink batch by batch, resuming where the sink's progress says.
 */
final class Replayer {

    /** Per partition, records processed; plus the total. */
    record Result(Map<Integer, Long> processed, long total) {}

    private final Consumer<byte[], byte[]> consumer;
    private final ReplaySink sink;
    private final Throttle throttle;

    Replayer(Consumer<byte[], byte[]> consumer, ReplaySink sink, Throttle throttle) {
        this.consumer = consumer;
        this.sink = sink;
        this.throttle = throttle;
    }

    Result run(String topic, List<PartitionRange> ranges, Progress progress) {
        Map<Integer, PartitionRange> open = new LinkedHashMap<>();
        ranges.stream().filter(r -> r.span() > 0).forEach(r -> open.put(r.partition(), r));
        Map<Integer, Long> processed = new HashMap<>();
        ranges.forEach(r -> processed.put(r.partition(), 0L));
        long total = 0;
        consumer.assign(open.keySet().stream().map(p -> new TopicPartition(topic, p)).toList());
        open.values().forEach(r -> consumer.seek(new TopicPartition(topic, r.partition()), r.start()));
        while (!open.isEmpty()) {
            ConsumerRecords<byte[], byte[]> polled;
            try {
                polled = consumer.poll(Duration.ofMillis(500));
            } catch (OffsetOutOfRangeException e) {
                throw new IllegalStateException("retention removed records this replay had still to read (" + e.offsetOutOfRangePartitions()
                        + "): what it applied is kept; run it again to go on from the log's new start (it names the hole)", e);
            }
            List<ConsumerRecord<byte[], byte[]>> batch = new ArrayList<>(polled.count());
            Map<Integer, Long> nextOffsets = new HashMap<>();
            for (TopicPartition tp : polled.partitions()) {
                PartitionRange range = open.get(tp.partition());
                if (range == null) {
                    continue;
                }
                for (ConsumerRecord<byte[], byte[]> record : polled.records(tp)) {
                    if (record.offset() < range.end()) {
                        batch.add(record);
                        nextOffsets.put(tp.partition(), record.offset() + 1);
                    }
                }
            }
            // a partition is done once the consumer is past its end (transaction markers and gaps included)
            Set<Integer> finished = open.values().stream()
                    .filter(r -> consumer.position(new TopicPartition(topic, r.partition())) >= r.end())
                    .map(PartitionRange::partition).collect(Collectors.toSet());
            finished.forEach(p -> nextOffsets.put(p, open.get(p).end()));
            if (!batch.isEmpty() || !finished.isEmpty()) {
                throttle.acquire(batch.size());
                sink.write(topic, batch, nextOffsets);
                batch.forEach(record -> processed.merge(record.partition(), 1L, Long::sum));
                total += batch.size();
                progress.advance(batch.size());
            }
            if (!finished.isEmpty()) {
                finished.forEach(open::remove);
                consumer.pause(finished.stream().map(p -> new TopicPartition(topic, p)).toList());
            }
        }
        return new Result(processed, total);
    }
}
