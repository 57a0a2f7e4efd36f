package dev.sluice.backup.archive;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.sluice.core.json.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The archive of {@code cdc.pages}: segments of change events, zstd-compressed NDJSON, each with a small manifest
 * (events, first and last commit times, SHA-256). A segment is written under a hidden name, synced, and renamed
 * with its manifest written last: a listed segment is always complete. Lines are
 * {@code {"p":partition,"o":offset,"k":key,"ts":commit time (ms),"v":<the Debezium event>}}, in the order read
 * (per page, the order of its commits).
 */
public final class ChangeArchive {

    /** A complete segment. */
    public record Segment(String name, long sequence, long events, Instant firstCommit, Instant lastCommit, long bytes, String sha256) {}

    /** One archived change. */
    public record Change(int partition, long offset, String key, long commitMillis, JsonNode event) {}

    /**
     * A point-in-time restore applies the changes committed this long before its snapshot again (harmless, they are
     * whole rows), so that a transaction that began before the snapshot and committed after it is never missed.
     * It is also what the archive keeps before its oldest snapshot.
     */
    public static final java.time.Duration REPLAY_OVERLAP = java.time.Duration.ofHours(1);

    private final Path folder;

    public ChangeArchive(Path backups) {
        this.folder = backups.toAbsolutePath().resolve("archive");
    }

    public Path folder() {
        return folder;
    }

    /** Complete segments in the order they were written. */
    public List<Segment> segments() throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Segment> segments = new ArrayList<>();
        try (DirectoryStream<Path> manifests = Files.newDirectoryStream(folder, "segment-*.json")) {
            for (Path manifest : manifests) {
                JsonNode json = Json.mapper().readTree(manifest.toFile());
                segments.add(new Segment(json.path("name").asString(), json.path("sequence").asLong(), json.path("events").asLong(),
                        Instant.parse(json.path("first_commit").asString()), Instant.parse(json.path("last_commit").asString()),
                        json.path("bytes").asLong(), json.path("sha256").asString()));
            }
        }
        segments.sort(Comparator.comparingLong(Segment::sequence).thenComparing(Segment::name));
        return segments;
    }

    /** Why the segment's file does not match its manifest (size or SHA-256), or null when it does. */
    public String damage(Segment segment) throws IOException {
        Path file = folder.resolve(segment.name());
        if (!Files.isRegularFile(file)) {
            return segment.name() + ": missing";
        }
        if (Files.size(file) != segment.bytes()) {
            return segment.name() + ": " + Files.size(file) + " bytes, the manifest says " + segment.bytes();
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (var in = new java.security.DigestInputStream(Files.newInputStream(file), sha256)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        return actual.equals(segment.sha256()) ? null : segment.name() + ": SHA-256 " + actual + ", the manifest says " + segment.sha256();
    }

    /** Reads a segment's changes in order. */
    public void read(Segment segment, Consumer<Change> changes) throws IOException {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                new ZstdInputStream(Files.newInputStream(folder.resolve(segment.name()))), StandardCharsets.UTF_8), 1 << 16)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode json = Json.mapper().readTree(line);
                changes.accept(new Change(json.path("p").asInt(), json.path("o").asLong(), json.path("k").asString(),
                        json.path("ts").asLong(), json.path("v")));
            }
        }
    }

    /** A segment being written. */
    public final class Writer implements AutoCloseable {
        private final long sequence;
        private final Path partial;
        private final FileChannel channel;
        private final MessageDigest sha256;
        private final OutputStream out;
        private long events;
        private long firstCommit = Long.MAX_VALUE;
        private long lastCommit = Long.MIN_VALUE;
        private boolean done;

        private Writer(long sequence) throws IOException {
            Files.createDirectories(folder);
            this.sequence = sequence;
            this.partial = folder.resolve(".partial-" + sequence);
            this.channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            this.out = new ZstdOutputStream(new DigestOutputStream(java.nio.channels.Channels.newOutputStream(channel), sha256), 3);
        }

        public long events() {
            return events;
        }

        /** Appends a change: {@code event} is the record's value, one line of JSON. */
        public void append(int partition, long offset, String key, long commitMillis, byte[] event) throws IOException {
            ObjectNode head = Json.mapper().createObjectNode().put("p", partition).put("o", offset).put("k", key).put("ts", commitMillis);
            byte[] start = Json.mapper().writeValueAsBytes(head);
            out.write(start, 0, start.length - 1);
            out.write(",\"v\":".getBytes(StandardCharsets.US_ASCII));
            out.write(event);
            out.write("}\n".getBytes(StandardCharsets.US_ASCII));
            events++;
            firstCommit = Math.min(firstCommit, commitMillis);
            lastCommit = Math.max(lastCommit, commitMillis);
        }

        /** Finishes, syncs and publishes the segment (its manifest last). */
        public Segment complete() throws IOException {
            out.close();
            // the random part keeps two archivers (each with some partitions) from ever taking the same name
            String name = String.format("segment-%012d-%s", sequence, Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16));
            Path target = folder.resolve(name + ".ndjson.zst");
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel file = FileChannel.open(target, StandardOpenOption.READ)) {
                file.force(true);
            }
            Segment segment = new Segment(target.getFileName().toString(), sequence, events, Instant.ofEpochMilli(firstCommit),
                    Instant.ofEpochMilli(lastCommit), Files.size(target), HexFormat.of().formatHex(sha256.digest()));
            ObjectNode manifest = Json.mapper().createObjectNode().put("name", segment.name()).put("sequence", sequence)
                    .put("events", events).put("first_commit", segment.firstCommit().toString())
                    .put("last_commit", segment.lastCommit().toString()).put("bytes", segment.bytes()).put("sha256", segment.sha256());
            Path manifestPartial = folder.resolve(".partial-" + sequence + ".json");
            Files.write(manifestPartial, Json.mapper().writeValueAsBytes(manifest));
            try (FileChannel file = FileChannel.open(manifestPartial, StandardOpenOption.READ)) {
                file.force(true);
            }
            Files.move(manifestPartial, folder.resolve(name + ".json"), StandardCopyOption.ATOMIC_MOVE);
            done = true;
            return segment;
        }

        @Override
        public void close() {
            if (!done) {
                try {
                    out.close();
                    Files.deleteIfExists(partial);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }

    /**
     * The segments no point-in-time restore from a snapshot taken at or after {@code oldestSnapshot} can need
     * (their last change is older than the snapshot by more than {@link #REPLAY_OVERLAP}); deleted unless
     * {@code dryRun}, manifest first, so a segment is never listed without its data.
     */
    public List<Segment> prune(Instant oldestSnapshot, boolean dryRun) throws IOException {
        Instant keepFrom = oldestSnapshot.minus(REPLAY_OVERLAP);
        List<Segment> unneeded = segments().stream().filter(segment -> segment.lastCommit().isBefore(keepFrom)).toList();
        if (!dryRun) {
            for (Segment segment : unneeded) {
                String base = segment.name().substring(0, segment.name().length() - ".ndjson.zst".length());
                Files.deleteIfExists(folder.resolve(base + ".json"));
                Files.deleteIfExists(folder.resolve(segment.name()));
            }
        }
        return unneeded;
    }

    /** Starts the next segment (after the last complete one). */
    public Writer next() throws IOException {
        List<Segment> existing = segments();
        return new Writer(existing.isEmpty() ? 1 : existing.get(existing.size() - 1).sequence() + 1);
    }
}
