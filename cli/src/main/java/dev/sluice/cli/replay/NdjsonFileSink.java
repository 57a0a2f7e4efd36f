package dev.sluice.cli.replay;

import dev.sluice.core.json.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import tools.jackson.core.JacksonException;
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
            OutputStream gzip = new GZIPOutputStream(Channels.newOutputStream(channel), 64 * 1024);
            for (ConsumerRecord<byte[], byte[]> record : batch) {
                gzip.write(line(record));
            }
            gzip.flush();
            ((GZIPOutputStream) gzip).finish();
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

    private static byte[] line(ConsumerRecord<byte[], byte[]> record) {
        ObjectNode line = Json.mapper().createObjectNode()
                .put("topic", record.topic())
                .put("partition", record.partition())
                .put("offset", record.offset())
                .put("timestamp", record.timestamp())
                .put("key", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
        JsonNode value = record.value() == null ? null : asJson(record.value());
        if (value != null) {
            line.set("value", value);
        } else if (record.value() != null) {
            line.put("value_base64", Base64.getEncoder().encodeToString(record.value()));
        }
        byte[] json = Json.mapper().writeValueAsBytes(line);
        byte[] withNewline = new byte[json.length + 1];
        System.arraycopy(json, 0, withNewline, 0, json.length);
        withNewline[json.length] = '\n';
        return withNewline;
    }

    private static JsonNode asJson(byte[] value) {
        try {
            JsonNode node = Json.mapper().readTree(value);
            return node == null || node.isMissingNode() ? null : node;
        } catch (JacksonException e) {
            return null;
        }
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
