package dev.sluice.cli.replay;

/** The offsets of one partition a replay covers: from {@code start} (inclusive) to {@code end} (exclusive). */
public record PartitionRange(int partition, long start, long end) {

    public PartitionRange {
        if (end < start) {
            throw new IllegalArgumentException("partition " + partition + ": end " + end + " before start " + start);
        }
    }

    /** The offsets in range: the records a real run processes, unless some are transaction markers or compacted away. */
    public long span() {
        return end - start;
    }

    /** The part still to do once {@code next} (a resumed replay's stored position) is done. */
    public PartitionRange resumedAt(long next) {
        long from = Math.min(end, Math.max(start, next));
        return new PartitionRange(partition, from, end);
    }
}
