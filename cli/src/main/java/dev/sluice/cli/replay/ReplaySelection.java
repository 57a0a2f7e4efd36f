package dev.sluice.cli.replay;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * Which records of a topic a replay covers: by time (the records' Kafka timestamps, i.e. when the API accepted
 * them), by offsets, or both (the narrower bound wins), on some partitions or all. Unbounded ends are the
 * partition's first retained record and its end when the replay starts, so every replay finishes.
 *
 * @param from first time included, or null
 * @param to first time excluded, or null
 * @param fromOffset first offset included, or null
 * @param toOffset first offset excluded, or null
 * @param partitions the partitions, empty for all
 */
public record ReplaySelection(Instant from, Instant to, Long fromOffset, Long toOffset, List<Integer> partitions) {

    public ReplaySelection {
        partitions = partitions == null ? List.of() : List.copyOf(partitions);
        if (from != null && to != null && !to.isAfter(from)) {
            throw new IllegalArgumentException("--to (" + to + ") must be after --from (" + from + ")");
        }
        if (fromOffset != null && toOffset != null && toOffset < fromOffset) {
            throw new IllegalArgumentException("--to-offset (" + toOffset + ") must not be before --from-offset (" + fromOffset + ")");
        }
    }

    /** The range of every selected partition, read off the brokers now. */
    public List<PartitionRange> resolve(Consumer<?, ?> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic);
        if (infos == null || infos.isEmpty()) {
            throw new IllegalArgumentException("no topic " + topic);
        }
        List<Integer> all = infos.stream().map(PartitionInfo::partition).sorted().toList();
        List<Integer> chosen = partitions.isEmpty() ? all : partitions;
        for (int partition : chosen) {
            if (!all.contains(partition)) {
                throw new IllegalArgumentException("topic " + topic + " has no partition " + partition + " (it has " + all.size() + ")");
            }
        }
        List<TopicPartition> topicPartitions = chosen.stream().map(p -> new TopicPartition(topic, p)).toList();
        Map<TopicPartition, Long> beginning = consumer.beginningOffsets(topicPartitions);
        Map<TopicPartition, Long> endNow = consumer.endOffsets(topicPartitions);
        Map<TopicPartition, Long> fromTime = from == null ? Map.of() : offsetsAt(consumer, topicPartitions, from, endNow);
        Map<TopicPartition, Long> toTime = to == null ? Map.of() : offsetsAt(consumer, topicPartitions, to, endNow);

        List<PartitionRange> ranges = new ArrayList<>(chosen.size());
        for (TopicPartition tp : topicPartitions) {
            long first = beginning.get(tp);
            long last = endNow.get(tp);
            long start = first;
            if (from != null) {
                start = Math.max(start, fromTime.get(tp));
            }
            if (fromOffset != null) {
                start = Math.max(start, fromOffset);
            }
            long end = last;
            if (to != null) {
                end = Math.min(end, toTime.get(tp));
            }
            if (toOffset != null) {
                end = Math.min(end, toOffset);
            }
            start = Math.min(start, last);
            ranges.add(new PartitionRange(tp.partition(), start, Math.max(start, end)));
        }
        return ranges;
    }

    /** The first offset at or after {@code time} per partition; the end where no record is that late. */
    private static Map<TopicPartition, Long> offsetsAt(Consumer<?, ?> consumer, Collection<TopicPartition> partitions, Instant time,
            Map<TopicPartition, Long> endNow) {
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(
                partitions.stream().collect(Collectors.toMap(Function.identity(), tp -> time.toEpochMilli())));
        return partitions.stream().collect(Collectors.toMap(Function.identity(),
                tp -> found.get(tp) == null ? endNow.get(tp) : found.get(tp).offset()));
    }
}
