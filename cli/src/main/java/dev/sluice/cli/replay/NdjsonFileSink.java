package dev.sluice.cli.replay;

import dev.sluice.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Replays records into a gzip-compressed NDJSON file for offline analysis, one line per record:
 * {@code {"topic","partition","offset","timestamp","key","value"}}, {@code value} being the record's JSON (or
 * {@code value_base64} for a record that is not JSON). Each batch is one gzip member (concatenated members are one
 * valid gzip stream, read by {@code zcat} and {@code GZIPInputStream}), synced, then the progress file beside it
 * ({@code <file>.progress}) is replaced: the length that is complete and the positions it holds. A resumed replay
 * cuts anything after that length (a batch interrupted mid-write) and appends: no gap, no duplicate.
 */
final class NdjsonFileSink implements ReplaySink {

    private final Path file;
    private final Path progressFile;
    private long records;

    NdjsonFileSink(Path file) {
        this.file = file.toAbsolutePath();
        this.progressFile = Path.of(this.file + ".progress");
    }

    @Override
    public Map<Integer, Long> progress(String topic, Collection<Integer> partitions) {
        Progress progress = readProgress();
        if (progress == null) {
            return Map.of();
        }
        if (!progress.topic().equals(topic)) {
            throw new IllegalArgumentException(file + " holds a replay of " + progress.topic() + ", not " + topic + ": choose another file");
        }
        cutTo(progress.bytes());
        Map<Integer, Long> positions = new HashMap<>(progress.positions());
        positions.keySet().retainAll(partitions);
        return positions;
    }

    @Override
    public void forgetProgress(String topic) {
        try {
            Files.deleteIfExists(progressFile);
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void write(String topic, List<ConsumerRecord<byte[], byte[]>> batch, Map<Integer, Long> nextOffsets) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            GZIPOutputStream gzip = new GZIPOutputStream(Channels.newOutputStream(channel), 64 * 1024) {
                {
                    def.setLevel(Deflater.BEST_SPEED); // ~3x faster than the default level, a few % larger: replays are big
                }
            };
            for (ConsumerRecord<byte[], byte[]> record : batch) {
                gzip.write(line(record));
            }
            gzip.flush();
            gzip.finish();
            channel.force(true);
            Progress before = readProgress();
            Map<Integer, Long> positions = new TreeMap<>(before == null ? Map.of() : before.positions());
            positions.putAll(nextOffsets);
            writeProgress(new Progress(topic, channel.size(), positions));
            records += batch.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The record's line. A value that is one JSON value (an envelope always is) is copied as it is, after a
     * streaming check: no tree is built, the bytes are not re-encoded (unless it spans lines).
     */
    private static byte[] line(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode head = Json.mapper().createObjectNode()
                .put("topic", record.topic())
                .put("partition", record.partition())
                .put("offset", record.offset())
                .put("timestamp", record.timestamp())
                .put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        byte[] value = record.value();
        if (value != null && hasNewline(value) && isOneJsonValue(value)) {
            value = Json.mapper().writeValueAsBytes(Json.mapper().readTree(value)); // pretty JSON: onto one line
        }
        if (value != null && isOneJsonValue(value)) {
            byte[] start = Json.mapper().writeValueAsBytes(head);
            byte[] line = new byte[start.length - 1 + ",\"value\":".length() + value.length + 1];
            int at = start.length - 1; // the head without its closing brace, then the value, then the brace
            System.arraycopy(start, 0, line, 0, at);
            for (byte b : ",\"value\":".getBytes(StandardCharsets.US_ASCII)) {
                line[at++] = b;
            }
            System.arraycopy(value, 0, line, at, value.length);
            line[at + value.length] = '}';
            return withNewline(line);
        }
        if (value != null) {
            head.put("value_base64", Base64.getEncoder().encodeToString(value));
        }
        return withNewline(Json.mapper().writeValueAsBytes(head));
    }

    private static boolean hasNewline(byte[] value) {
        for (byte b : value) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }

    private static boolean isOneJsonValue(byte[] value) {
        try (JsonParser parser = Json.mapper().createParser(value)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (JacksonException e) {
            return false;
        }
    }

    private static byte[] withNewline(byte[] json) {
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    private void cutTo(long bytes) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (channel.size() < bytes) {
                throw new IllegalStateException(file + " is shorter (" + channel.size() + " bytes) than its progress says (" + bytes
                        + "): it was changed since; start over with --restart");
            }
            channel.truncate(bytes);
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Progress(String topic, long bytes, Map<Integer, Long> positions) {}

    private Progress readProgress() {
        if (!Files.exists(progressFile)) {
            return null;
        }
        JsonNode json = Json.mapper().readTree(progressFile.toFile());
        Map<Integer, Long> positions = new TreeMap<>();
        json.get("positions").properties().forEach(e -> positions.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        return new Progress(json.get("topic").asString(), json.get("bytes").asLong(), positions);
    }

    private void writeProgress(Progress progress) throws IOException {
        ObjectNode json = Json.mapper().createObjectNode().put("topic", progress.topic()).put("bytes", progress.bytes());
        ObjectNode positions = json.putObject("positions");
        progress.positions().forEach((partition, next) -> positions.put(partition.toString(), next));
        Path temporary = Path.of(progressFile + ".tmp");
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(Json.mapper().writeValueAsBytes(json)));
            channel.force(true);
        }
        Files.move(temporary, progressFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public String summary() {
        return "%,d record(s) written to %s".formatted(records, file);
    }

    @Override
    public void close() {}
}
