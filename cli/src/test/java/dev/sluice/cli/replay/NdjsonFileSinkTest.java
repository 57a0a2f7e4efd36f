package dev.sluice.cli.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.json.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The file a replay writes: one line per record, JSON values kept as JSON, anything else kept exactly, in base64. */
class NdjsonFileSinkTest {

    @TempDir
    Path temp;

    @Test
    void everyRecordIsOneLineAndNothingIsAltered() throws Exception {
        Path file = temp.resolve("out.ndjson.gz");
        byte[] poison = {(byte) 0xff, 0, '{', '\n'};
        try (NdjsonFileSink sink = new NdjsonFileSink(file)) {
            sink.write("t", List.of(
                    record(0, 0, "a", "{\"op\":\"upsert\",\"page\":{\"title\":\"caf\u00e9 \\\"quoted\\\"\"}}".getBytes(StandardCharsets.UTF_8)),
                    record(0, 1, "b", "{\n  \"pretty\": true\n}".getBytes(StandardCharsets.UTF_8)),
                    record(1, 0, "c", poison),
                    record(1, 1, null, "{\"trailing\":1} {\"second\":2}".getBytes(StandardCharsets.UTF_8))), Map.of(0, 2L, 1, 2L));
            sink.write("t", List.of(record(0, 2, "d", "42".getBytes(StandardCharsets.UTF_8))), Map.of(0, 3L));
        }

        List<JsonNode> lines = read(file);
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).path("value").path("page").path("title").asString()).isEqualTo("caf\u00e9 \"quoted\"");
        assertThat(lines.get(0).path("key").asString()).isEqualTo("a");
        assertThat(lines.get(1).path("value").path("pretty").asBoolean()).as("a multi-line value is re-encoded on one line").isTrue();
        assertThat(Base64.getDecoder().decode(lines.get(2).path("value_base64").asString())).isEqualTo(poison);
        assertThat(lines.get(3).has("value")).as("two JSON values are not one").isFalse();
        assertThat(lines.get(3).path("key").isNull()).isTrue();
        assertThat(lines.get(4).path("value").asInt()).isEqualTo(42);
        assertThat(lines.get(4).path("offset").asLong()).isEqualTo(2);
        assertThat(new NdjsonFileSink(file).progress("t", List.of(0, 1))).isEqualTo(Map.of(0, 3L, 1, 2L));
    }

    private static ConsumerRecord<byte[], byte[]> record(int partition, long offset, String key, byte[] value) {
        return new ConsumerRecord<>("t", partition, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8), value);
    }

    private static List<JsonNode> read(Path file) throws Exception {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)),
                StandardCharsets.UTF_8))) {
            return reader.lines().map(line -> Json.mapper().readTree(line)).toList();
        }
    }
}
