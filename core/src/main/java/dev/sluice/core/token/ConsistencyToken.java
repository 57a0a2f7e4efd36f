package dev.sluice.core.token;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.BufferUnderflowException;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The Kafka positions of a write: for each partition of {@code pages.v1} the write touched, the offset of its last
 * record there. A reader that presents it sees that write or a newer one once the ingest workers' applied
 * positions (next offset to apply, per partition) have passed every one of these offsets.
 *
 * <p>Wire form: a version byte, a varint count, then (varint partition, varint offset) pairs in partition order,
 * sealed by {@link TokenSigner} for the purpose {@code "consistency:" + topic}.
 */
public record ConsistencyToken(SortedMap<Integer, Long> offsets) {

    private static final byte VERSION = 1;
    private static final int MAX_PARTITIONS = 100_000;

    public ConsistencyToken {
        offsets = Collections.unmodifiableSortedMap(new TreeMap<>(offsets));
        offsets.forEach((partition, offset) -> {
            if (partition < 0 || offset < 0) {
                throw new IllegalArgumentException("negative partition or offset: " + partition + "@" + offset);
            }
        });
    }

    public static ConsistencyToken of(Map<Integer, Long> offsets) {
        return new ConsistencyToken(new TreeMap<>(offsets));
    }

    /** The token of both writes: the higher offset per partition. */
    public ConsistencyToken merge(ConsistencyToken other) {
        TreeMap<Integer, Long> merged = new TreeMap<>(offsets);
        other.offsets.forEach((partition, offset) -> merged.merge(partition, offset, Math::max));
        return new ConsistencyToken(merged);
    }

    /**
     * @param appliedNextOffsets per partition, the next offset the workers will apply (everything before it is
     *     in PostgreSQL)
     */
    public boolean isCoveredBy(Map<Integer, Long> appliedNextOffsets) {
        for (Map.Entry<Integer, Long> write : offsets.entrySet()) {
            Long applied = appliedNextOffsets.get(write.getKey());
            if (applied == null || applied <= write.getValue()) {
                return false;
            }
        }
        return true;
    }

    public String encode(TokenSigner signer, String topic) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2 + offsets.size() * 6);
        out.write(VERSION);
        writeVarLong(out, offsets.size());
        offsets.forEach((partition, offset) -> {
            writeVarLong(out, partition);
            writeVarLong(out, offset);
        });
        return signer.seal(purpose(topic), out.toByteArray());
    }

    /**
     * @throws InvalidTokenException if the token is garbled, forged, or was issued for another topic
     */
    public static ConsistencyToken decode(String text, TokenSigner signer, String topic) {
        ByteBuffer in = ByteBuffer.wrap(signer.open(purpose(topic), text));
        try {
            byte version = in.get();
            if (version != VERSION) {
                throw new InvalidTokenException("has an unsupported version " + version);
            }
            long count = readVarLong(in);
            if (count > MAX_PARTITIONS) {
                throw new InvalidTokenException("names too many partitions");
            }
            TreeMap<Integer, Long> offsets = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                long partition = readVarLong(in);
                long offset = readVarLong(in);
                if (partition > Integer.MAX_VALUE) {
                    throw new InvalidTokenException("names an impossible partition");
                }
                offsets.put((int) partition, offset);
            }
            if (in.hasRemaining()) {
                throw new InvalidTokenException("has trailing bytes");
            }
            return new ConsistencyToken(offsets);
        } catch (BufferUnderflowException e) {
            throw new InvalidTokenException("is truncated");
        }
    }

    private static String purpose(String topic) {
        return "consistency:" + topic;
    }

    private static void writeVarLong(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }

    private static long readVarLong(ByteBuffer in) {
        long value = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            byte b = in.get();
            value |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new InvalidTokenException("has a malformed number");
    }
}
