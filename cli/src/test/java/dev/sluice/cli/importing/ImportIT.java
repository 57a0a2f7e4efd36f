package dev.sluice.cli.importing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.ApiProcess;
import dev.sluice.cli.CliRun;
import dev.sluice.core.json.Json;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A crawler's bulk import through the real API process, with a key slow enough to be rate limited: every good
 * page is accepted exactly once across the 429s, every bad line is reported with its line and reason.
 */
@SharedStackTest
class ImportIT {

    static final String TOPIC = "pages.import-it";
    static final int GOOD = 400;

    static Connections connections;
    static ServiceProcess api;
    static String key;

    @TempDir
    Path temp;

    @BeforeAll
    static void apiWithASlowKey() throws Exception {
        ApiProcess.Running running = ApiProcess.withKey(ImportIT.class, TOPIC, 100, 100);
        connections = running.connections();
        api = running.process();
        key = running.key();
    }

    @AfterAll
    static void stopApi() {
        if (api != null) {
            api.kill();
        }
    }

    @Test
    void everyGoodPageIsAcceptedOnceAcross429sAndEveryBadLineIsReported() throws Exception {
        Path file = temp.resolve("crawl.ndjson.gz");
        Map<Integer, String> bad = Map.of(
                51, "{\"fetched_at\": \"2026-11-20T10:00:00Z\", \"title\": \"no url\"}",
                202, "{\"url\": \"https://import.example/broken",
                333, "{\"url\": \"https://import.example/when\", \"fetched_at\": \"yesterday\"}");
        writeGzip(file, bad);
        Path rejects = temp.resolve("rejected.ndjson");

        CliRun run = CliRun.of(connections, Map.of("SLUICE_API_URL", "http://localhost:" + api.port(), "SLUICE_API_KEY", key),
                "import", file.toString(), "--batch", "100", "--concurrency", "2", "--rejects", rejects.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).contains((GOOD + bad.size()) + " page line(s)").contains(GOOD + " accepted, 3 rejected");
        assertThat(retried(run.out())).as("the key's rate made the API answer 429, and the import waited them out").isPositive();

        List<JsonNode> rejected = Files.readAllLines(rejects).stream().map(line -> Json.mapper().readTree(line)).toList();
        assertThat(rejected).extracting(line -> line.path("line").asInt()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        assertThat(rejected).allSatisfy(line -> assertThat(line.path("page").asString()).isEqualTo(bad.get(line.path("line").asInt())));
        assertThat(reason(rejected, 51)).contains("url");
        assertThat(reason(rejected, 333)).contains("fetched_at");
        assertThat(reason(rejected, 202)).isNotBlank();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC)).hasSize(GOOD));
        assertThat(TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC).stream().map(ConsumerRecord::key).distinct())
                .as("each good page enqueued exactly once").hasSize(GOOD);
    }

    @Test
    void aRefusedKeyStopsTheImportAndSaysSo() throws Exception {
        Path file = temp.resolve("few.ndjson");
        Files.writeString(file, page(1) + "\n" + page(2) + "\n");

        CliRun run = CliRun.of(connections, Map.of("SLUICE_API_URL", "http://localhost:" + api.port(),
                        "SLUICE_API_KEY", "slk_00000000_00000000000000000000000000000000"),
                "import", file.toString(), "--rejects", temp.resolve("r.ndjson").toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.out()).contains("0 accepted").contains("Stopped: 401");
        assertThat(Files.readAllLines(temp.resolve("r.ndjson"))).hasSize(2).allSatisfy(line -> assertThat(line).contains("not sent"));
    }

    private static String reason(List<JsonNode> rejected, int line) {
        return rejected.stream().filter(r -> r.path("line").asInt() == line).findFirst().orElseThrow().path("reason").asString();
    }

    private static long retried(String out) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("([\\d,]+) retried after 429/503").matcher(out);
        assertThat(matcher.find()).as(out).isTrue();
        return Long.parseLong(matcher.group(1).replace(",", ""));
    }

    /** GOOD pages, with the bad lines at their line numbers (from 1) and a blank line that is skipped. */
    private static void writeGzip(Path file, Map<Integer, String> bad) throws IOException {
        try (OutputStream raw = Files.newOutputStream(file);
                Writer out = new OutputStreamWriter(new GZIPOutputStream(raw), StandardCharsets.UTF_8)) {
            int good = 0;
            for (int line = 1; good < GOOD || line <= 333; line++) {
                if (bad.containsKey(line)) {
                    out.write(bad.get(line) + "\n");
                } else if (line == 10) {
                    out.write("\n");
                } else {
                    out.write(page(good++) + "\n");
                }
            }
        }
    }

    private static String page(int i) {
        return "{\"url\": \"https://import.example/" + i + "\", \"fetched_at\": \"2026-11-20T10:00:00Z\", \"status\": 200, "
                + "\"title\": \"Page " + i + "\", \"content_type\": \"text/html\", \"body\": \"<p>page " + i + "</p>\"}";
    }
}
