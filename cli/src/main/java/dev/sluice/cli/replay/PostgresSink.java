package dev.sluice.cli.replay;

import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.EnvelopeFormatException;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.store.apply.BatchApplier;
import dev.sluice.store.apply.BatchCoalescer;
import dev.sluice.store.apply.BodyStorage;
import dev.sluice.store.apply.PageWrite;
import dev.sluice.store.apply.Positions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Replays {@code pages.v1} records into {@code pages} or a shadow table of its shape through the workers' own apply
 * path: coalesced, version-fenced (an older or repeated write changes nothing), the replay's positions committed
 * with the rows under its own group name in {@code consumer_positions}. The live group's positions are never read
 * or written. Undecodable records and pages PostgreSQL refuses are counted and reported (the live workers sent
 * them to the dead-letter topic already). Safe to share between replay lanes (each its own partitions).
 */
final class PostgresSink implements ReplaySink {

    private static final int REPORTED = 10;

    private final DataSource dataSource;
    private final String group;
    private final String table;
    private final PrintWriter err;
    private final EnvelopeCodec codec = new EnvelopeCodec();
    private final Map<String, BatchApplier> appliers = new java.util.concurrent.ConcurrentHashMap<>();
    // several replay lanes may share this sink
    private final LongAdder inserted = new LongAdder();
    private final LongAdder updated = new LongAdder();
    private final LongAdder fenced = new LongAdder();
    private final AtomicLong skipped = new AtomicLong();

    /** @param group the replay's own group in {@code consumer_positions} (never the live workers') */
    PostgresSink(DataSource dataSource, String group, String table, PrintWriter err) {
        this.dataSource = dataSource;
        this.group = group;
        this.table = table;
        this.err = err;
    }

    @Override
    public Map<Integer, Long> progress(String topic, Collection<Integer> partitions) {
        try (Connection db = dataSource.getConnection()) {
            return Positions.load(db, group, topic, partitions);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the replay's progress: " + e.getMessage(), e);
        }
    }

    /** Records, per partition, where the replay's range begins ({@code first_offset}), once: a resumed run keeps it. */
    @Override
    public void begin(String topic, List<PartitionRange> remaining) {
        try (Connection db = dataSource.getConnection();
                PreparedStatement insert = db.prepareStatement("""
                        INSERT INTO consumer_positions (consumer_group, topic, partition, next_offset, first_offset)
                        SELECT ?, ?, p, o, o FROM unnest(?::int[], ?::bigint[]) AS r(p, o)
                        ON CONFLICT (consumer_group, topic, partition) DO NOTHING""")) {
            insert.setString(1, group);
            insert.setString(2, topic);
            insert.setArray(3, db.createArrayOf("int4", remaining.stream().map(PartitionRange::partition).toArray()));
            insert.setArray(4, db.createArrayOf("int8", remaining.stream().map(PartitionRange::start).toArray()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot record where the replay begins: " + e.getMessage(), e);
        }
    }

    @Override
    public void forgetProgress(String topic) {
        try (Connection db = dataSource.getConnection();
                PreparedStatement delete = db.prepareStatement("DELETE FROM consumer_positions WHERE consumer_group = ? AND topic = ?")) {
            delete.setString(1, group);
            delete.setString(2, topic);
            delete.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot reset the replay's progress: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(String topic, List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, Long> nextOffsets) {
        List<PageWrite> writes = new ArrayList<>(records.size());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            try {
                PageEnvelope envelope = codec.decode(record.value());
                if (!envelope.id().equals(key)) {
                    throw new EnvelopeFormatException("the record key '" + key + "' is not the page id " + envelope.id());
                }
                writes.add(new PageWrite(envelope, record.partition(), record.offset()));
            } catch (EnvelopeFormatException e) {
                skip(record.partition() + "@" + record.offset() + " undecodable: " + e.getMessage());
            }
        }
        BatchApplier.Result result = appliers
                .computeIfAbsent(topic, t -> new BatchApplier(dataSource, group, t, table, BodyStorage.ZSTD))
                .apply(BatchCoalescer.coalesce(writes), nextOffsets, (refused, reason) ->
                        refused.forEach(write -> skip(write.partition() + "@" + write.offset() + " " + reason)));
        inserted.add(result.inserted());
        updated.add(result.updated());
        fenced.add(result.fenced());
    }

    private void skip(String why) {
        if (skipped.incrementAndGet() <= REPORTED) {
            synchronized (err) {
                err.println("  skipped " + why);
            }
        }
    }

    @Override
    public String summary() {
        return "%,d page(s) inserted, %,d updated, %,d unchanged (fenced: older than or the same as the row), %,d record(s) skipped"
                .formatted(inserted.sum(), updated.sum(), fenced.sum(), skipped.get());
    }

    @Override
    public void close() {}
}
