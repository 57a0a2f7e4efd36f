package dev.sluice.cli.replay;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where a replay writes. Each sink keeps the replay's progress with what it wrote, atomically, so an interrupted
 * replay resumes without gaps or duplicates.
 */
public interface ReplaySink extends AutoCloseable {

    /** Per partition, the next offset an earlier run of this replay already wrote (absent: nothing yet). */
    Map<Integer, Long> progress(String topic, Collection<Integer> partitions);

    /**
     * Called once before the first write with the part of each range still to do. A sink that keeps its progress
     * records where each partition's range begins, if nothing is recorded yet: what the replay covers.
     */
    default void begin(String topic, List<PartitionRange> remaining) {}

    /** Forgets the progress of earlier runs: the next run starts its range over. */
    void forgetProgress(String topic);

    /**
     * Writes {@code records} (in offset order per partition) and records {@code nextOffsets} as done, together.
     * Bad records are the sink's to count and report, never a reason to stop.
     */
    void write(String topic, List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, Long> nextOffsets);

    /** What was written, for the summary: one line. */
    String summary();

    @Override
    void close();
}
