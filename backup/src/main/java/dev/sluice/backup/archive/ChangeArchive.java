package dev.sluice.backup.archive;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Checksums;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The archive of {@code cdc.pages}, beside the backups ({@value BackupStore#ARCHIVE}): segments of change events,
 * zstd-compressed NDJSON, each with a small manifest (events, first and last commit times, SHA-256). A segment is
 * published whole and its manifest after it: a listed segment is always complete. Lines are
 * {@code {"p":partition,"o":offset,"k":key,"ts":commit time (ms),"v":<the Debezium event>}}, in the order read
 * (per page, the order of its commits); a Kafka tombstone has {@code "v":null}, so that every offset read is in a
 * segment. Each manifest names, per partition, the offsets its segment covers: a restore checks that the segments
 * it reads leave no hole ({@link #gaps}), which is how a change lost to retention before it was archived is told
 * apart from a quiet hour.
 */
public final class ChangeArchive {

    /**
     * A complete segment.
     *
     * @param ranges per partition, the offsets the segment covers (empty for a segment written before they were kept)
     */
    public record Segment(String name, long sequence, long events, Instant firstCommit, Instant lastCommit, long bytes, String sha256,
            Map<Integer, OffsetRange> ranges) {

        public Segment {
            ranges = Map.copyOf(ranges);
        }
    }

    /** Offsets {@code from} (inclusive) to {@code next} (exclusive) of one partition. */
    public record OffsetRange(long from, long next) {

        OffsetRange merge(OffsetRange other) {
            return new OffsetRange(Math.min(from, other.from), Math.max(next, other.next));
        }
    }

    /**
     * Offsets of a partition that no segment covers although segments on both sides do: changes read by no archiver
     * (retention removed them first, or an archiver's consumer was reset past them), or a segment deleted by hand.
     *
     * @param before the newest commit time archived before the hole on that partition
     */
    public record Gap(int partition, long from, long next, Instant before) {

        @Override
        public String toString() {
            return "partition %d: offsets %d to %d are in no segment (the archive is complete on it up to %s)".formatted(partition, from,
                    next - 1, before);
        }
    }

    /** One archived change; {@code event} is null for a Kafka tombstone (it only marks its offset as read). */
    public record Change(int partition, long offset, String key, long commitMillis, JsonNode event) {}

    /**
     * A point-in-time restore applies the changes committed this long before its snapshot again (harmless, they are
     * whole rows), so that a transaction that began before the snapshot and committed after it is never missed.
     * It is also what the archive keeps before its oldest snapshot.
     */
    public static final Duration REPLAY_OVERLAP = Duration.ofHours(1);

    /** An upload unfinished this long was left by a crashed archiver (a segment is written in minutes). */
    private static final Duration ABANDONED = Duration.ofDays(1);

    private final ObjectStore objects;
    private long lastSequence = -1;

    public ChangeArchive(ObjectStore objects) {
        this.objects = objects;
    }

    /** Complete segments in the order they were written. */
    public List<Segment> segments() throws IOException {
        return segments(Instant.MIN, Instant.MAX);
    }

    /** The complete segments with a change committed between {@code from} and {@code to}; only their manifests are read. */
    public List<Segment> segments(Instant from, Instant to) throws IOException {
        List<Segment> segments = new ArrayList<>();
        for (Listed listed : listed()) {
            if (!listed.lastCommit().isBefore(from) && !listed.firstCommit().isAfter(to)) {
                segments.add(manifest(listed.manifestKey()));
            }
        }
        return segments;
    }

    /** The newest commit time the archive holds, if any. */
    public java.util.Optional<Instant> lastCommit() throws IOException {
        return listed().stream().map(Listed::lastCommit).max(Comparator.naturalOrder());
    }

    /**
     * A segment as its manifest's key describes it ({@code segment-<sequence>-<random>.<first>-<last>.json}, commit
     * times in epoch milliseconds): listing the archive is enough to choose segments by time, with no read per
     * segment (a day holds 1,440 of them). A manifest from before the times were in the key is read instead.
     */
    private record Listed(String manifestKey, String base, long sequence, Instant firstCommit, Instant lastCommit) {}

    private static final Pattern MANIFEST = Pattern.compile("(segment-(\\d+)-[0-9a-f]+)(?:\\.(\\d+)-(\\d+))?\\.json");

    private List<Listed> listed() throws IOException {
        List<Listed> listed = new ArrayList<>();
        for (String key : objects.list(BackupStore.ARCHIVE + "segment-")) {
            Matcher name = MANIFEST.matcher(key.substring(BackupStore.ARCHIVE.length()));
            if (!name.matches()) {
                continue; // a segment's data
            }
            if (name.group(3) != null) {
                listed.add(new Listed(key, name.group(1), Long.parseLong(name.group(2)), Instant.ofEpochMilli(Long.parseLong(name.group(3))),
                        Instant.ofEpochMilli(Long.parseLong(name.group(4)))));
            } else {
                Segment segment = manifest(key);
                listed.add(new Listed(key, name.group(1), segment.sequence(), segment.firstCommit(), segment.lastCommit()));
            }
        }
        listed.sort(Comparator.comparingLong(Listed::sequence).thenComparing(Listed::base));
        return listed;
    }

    private Segment manifest(String key) throws IOException {
        JsonNode json = Json.mapper().readTree(objects.read(key));
        Map<Integer, OffsetRange> ranges = new TreeMap<>();
        for (Map.Entry<String, JsonNode> range : json.path("ranges").properties()) {
            ranges.put(Integer.parseInt(range.getKey()), new OffsetRange(range.getValue().path(0).asLong(), range.getValue().path(1).asLong()));
        }
        return new Segment(json.path("name").asString(), json.path("sequence").asLong(), json.path("events").asLong(),
                Instant.parse(json.path("first_commit").asString()), Instant.parse(json.path("last_commit").asString()),
                json.path("bytes").asLong(), json.path("sha256").asString(), ranges);
    }

    /**
     * The holes in what {@code segments} cover, per partition, between the first offset and the last one they
     * hold. Segments may overlap (an archiver that crashed before committing archives some changes again).
     */
    public static List<Gap> gaps(List<Segment> segments) {
        Map<Integer, List<Segment>> byPartition = new TreeMap<>();
        segments.forEach(segment -> segment.ranges().keySet().forEach(p -> byPartition.computeIfAbsent(p, x -> new ArrayList<>()).add(segment)));
        List<Gap> gaps = new ArrayList<>();
        byPartition.forEach((partition, covering) -> {
            covering.sort(Comparator.comparingLong(segment -> segment.ranges().get(partition).from()));
            OffsetRange covered = null;
            Instant newest = Instant.MIN;
            for (Segment segment : covering) {
                OffsetRange range = segment.ranges().get(partition);
                if (covered != null && range.from() > covered.next()) {
                    gaps.add(new Gap(partition, covered.next(), range.from(), newest));
                }
                covered = covered == null ? range : covered.merge(range);
                newest = newest.isAfter(segment.lastCommit()) ? newest : segment.lastCommit();
            }
        });
        return gaps;
    }

    /** Why the segment's file does not match its manifest (size or SHA-256), or null when it does. */
    public String damage(Segment segment) throws IOException {
        return Checksums.damage(objects, BackupStore.ARCHIVE + segment.name(), segment.name(), segment.bytes(), segment.sha256(), true);
    }

    /** Reads a segment's changes in order. */
    public void read(Segment segment, Consumer<Change> changes) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                new ZstdInputStream(objects.open(BackupStore.ARCHIVE + segment.name())), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode json = Json.mapper().readTree(line);
                JsonNode event = json.path("v");
                changes.accept(new Change(json.path("p").asInt(), json.path("o").asLong(), json.path("k").asString(),
                        json.path("ts").asLong(), event.isNull() ? null : event));
            }
        }
    }

    /** A segment being written. */
    public final class Writer implements AutoCloseable {
        private final long sequence;
        private final String name;
        private final ObjectStore.Upload upload;
        private final MessageDigest sha256;
        private final Counting stored;
        private final OutputStream out;
        private long events;
        private long firstCommit = Long.MAX_VALUE;
        private long lastCommit = Long.MIN_VALUE;
        private final Map<Integer, OffsetRange> ranges = new TreeMap<>();

        private Writer(long sequence) throws IOException {
            this.sequence = sequence;
            // the random part keeps two archivers (each with some partitions) from ever taking the same name
            this.name = String.format("segment-%012d-%s", sequence, Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16));
            this.upload = objects.upload(BackupStore.ARCHIVE + name + ".ndjson.zst");
            this.sha256 = Checksums.sha256();
            this.stored = new Counting(upload.stream());
            this.out = new ZstdOutputStream(new DigestOutputStream(stored, sha256), 3);
        }

        public long events() {
            return events;
        }

        /**
         * Appends a change: {@code event} is the record's value, one line of JSON, or null for a Kafka tombstone. The
         * segment then covers its offset.
         */
        public void append(int partition, long offset, String key, long commitMillis, byte[] event) throws IOException {
            ObjectNode head = Json.mapper().createObjectNode().put("p", partition).put("o", offset).put("k", key).put("ts", commitMillis);
            byte[] start = Json.mapper().writeValueAsBytes(head);
            out.write(start, 0, start.length - 1);
            out.write(",\"v\":".getBytes(StandardCharsets.US_ASCII));
            out.write(event == null ? NULL : event);
            out.write("}\n".getBytes(StandardCharsets.US_ASCII));
            if (event != null) {
                events++;
            }
            firstCommit = Math.min(firstCommit, commitMillis);
            lastCommit = Math.max(lastCommit, commitMillis);
            cover(partition, offset, offset + 1);
        }

        /**
         * The segment also covers offsets {@code from} to {@code next} of the partition: where the reader stood
         * before its first record (so a jump in the reader's position shows as a hole) and after its last one
         * (offsets that hold no record, such as transaction markers).
         */
        public void cover(int partition, long from, long next) {
            ranges.merge(partition, new OffsetRange(from, next), OffsetRange::merge);
        }

        /** Finishes and publishes the segment, its manifest last. */
        public Segment complete() throws IOException {
            out.close();
            upload.commit();
            Segment segment = new Segment(name + ".ndjson.zst", sequence, events, Instant.ofEpochMilli(firstCommit),
                    Instant.ofEpochMilli(lastCommit), stored.count, Checksums.hex(sha256), ranges);
            ObjectNode manifest = Json.mapper().createObjectNode().put("name", segment.name()).put("sequence", sequence)
                    .put("events", events).put("first_commit", segment.firstCommit().toString())
                    .put("last_commit", segment.lastCommit().toString()).put("bytes", segment.bytes()).put("sha256", segment.sha256());
            ObjectNode covered = manifest.putObject("ranges");
            ranges.forEach((partition, range) -> covered.putArray(Integer.toString(partition)).add(range.from()).add(range.next()));
            objects.write(BackupStore.ARCHIVE + name + "." + firstCommit + "-" + lastCommit + ".json", Json.mapper().writeValueAsBytes(manifest));
            lastSequence = Math.max(lastSequence, sequence);
            return segment;
        }

        /** Without {@link #complete()}: discards what was written. */
        @Override
        public void close() throws IOException {
            try {
                out.close();
            } finally {
                upload.close();
            }
        }
    }

    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private static final class Counting extends java.io.FilterOutputStream {
        long count;

        Counting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }
    }

    /**
     * Counts the segments no point-in-time restore from a snapshot taken at or after {@code oldestSnapshot} can
     * need (their last change is older than the snapshot by more than {@link #REPLAY_OVERLAP}), and deletes them
     * unless {@code dryRun}, manifest first, so a segment is never listed without its data.
     */
    public int prune(Instant oldestSnapshot, boolean dryRun) throws IOException {
        Instant keepFrom = oldestSnapshot.minus(REPLAY_OVERLAP);
        List<Listed> unneeded = listed().stream().filter(segment -> segment.lastCommit().isBefore(keepFrom)).toList();
        if (!dryRun) {
            for (Listed segment : unneeded) {
                objects.delete(segment.manifestKey());
                objects.delete(BackupStore.ARCHIVE + segment.base() + ".ndjson.zst");
            }
        }
        return unneeded.size();
    }

    /** Starts the next segment (after the last complete one); the first call also discards crashed archivers' uploads. */
    public Writer next() throws IOException {
        if (lastSequence < 0) {
            objects.discardUnfinished(key -> key.startsWith(BackupStore.ARCHIVE), Instant.now().minus(ABANDONED));
            List<Listed> existing = listed();
            lastSequence = existing.isEmpty() ? 0 : existing.get(existing.size() - 1).sequence();
        }
        return new Writer(lastSequence + 1);
    }
}
