package dev.sluice.cli.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.ApiProcess;
import dev.sluice.cli.LocalSite;
import dev.sluice.cli.LocalTools;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.json.Json;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The Python client and the Scrapy pipeline (clients/python), run by Python against the real API with a key slow
 * enough to be rate limited, and a real Scrapy crawl of a site served on localhost: every page they report accepted
 * is on the topic, exactly once.
 */
@SharedStackTest
class PythonClientIT {

    static final String TOPIC = "pages.python-it";
    static final Path CLIENTS = Path.of("..", "clients", "python");
    static Connections connections;
    static ServiceProcess api;
    static String key;

    @BeforeAll
    static void api() throws Exception {
        ApiProcess.Running running = ApiProcess.withKey(PythonClientIT.class, TOPIC, 200, 200);
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
    void theClientAndTheScrapyPipelinePostEveryPageTheyReportAccepted() throws Exception {
        Path python = LocalTools.requirePython("scrapy", "python3-scrapy", "the Python client and the Scrapy pipeline");
        Map<String, LocalSite.Served> pages = new LinkedHashMap<>();
        StringBuilder index = new StringBuilder("<html><head><title>Index</title></head><body>");
        List<JsonNode> corpus = Corpus.pages().subList(0, 12).stream().map(line -> Json.mapper().readTree(line)).toList();
        for (int i = 0; i < corpus.size(); i++) {
            pages.put("/page-" + i + ".html", new LocalSite.Served("text/html; charset=utf-8",
                    corpus.get(i).path("body").asString().getBytes(StandardCharsets.UTF_8)));
            index.append("<a href=\"/page-").append(i).append(".html\">").append(i).append("</a>");
        }
        pages.put("/index.html", new LocalSite.Served("text/html; charset=utf-8", (index + "</body></html>").getBytes(StandardCharsets.UTF_8)));

        String output;
        try (LocalSite site = new LocalSite(pages)) {
            ProcessBuilder tests = new ProcessBuilder(python.toString(), "-m", "unittest", "discover", "-v", "-s", "tests", "-t", ".")
                    .directory(CLIENTS.toFile()).redirectErrorStream(true);
            tests.environment().put("SLUICE_API_URL", "http://localhost:" + api.port());
            tests.environment().put("SLUICE_API_KEY", key);
            tests.environment().put("SLUICE_TEST_SITE", site.base());
            Process process = tests.start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(process.exitValue()).as(output).isZero();
            assertThat(output).as("every Python test ran, none skipped").doesNotContain("skipped").contains("Ran 5 tests");

            EnvelopeCodec codec = new EnvelopeCodec();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                List<String> urls = TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC).stream()
                        .map(record -> codec.decode(record.value()).page().url().normalized()).toList();
                assertThat(urls.stream().filter(url -> url.startsWith("https://python-client.example/"))).as("the client's pages, once each")
                        .hasSize(1200).doesNotHaveDuplicates();
                Set<String> crawled = urls.stream().filter(url -> url.startsWith(site.base())).collect(Collectors.toSet());
                assertThat(crawled).as("every page the crawl scraped").containsAll(pages.keySet().stream().map(path -> site.base() + path).toList());
            });
        }
    }
}
