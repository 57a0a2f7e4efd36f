package dev.sluice.cli.warc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.cli.ApiProcess;
import dev.sluice.cli.CliRun;
import dev.sluice.cli.LocalSite;
import dev.sluice.cli.LocalTools;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.Page;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.netpreserve.jwarc.WarcReader;
import org.netpreserve.jwarc.WarcRecord;
import org.netpreserve.jwarc.WarcResponse;
import tools.jackson.databind.JsonNode;

/**
 * WARC in and out, with archives no one here wrote: a site of real pages served on localhost is recorded by
 * {@code wget --warc-file} (Debian's wget), imported through the real API, and every page arrives with its URL,
 * status, content type, title and body decoded as a browser would (a latin-1 page included); then pages exported
 * as WARC with a CDXJ index are imported back as the same pages.
 */
@SharedStackTest
class WarcIT {

    static final String TOPIC = "pages.warc-it";
    static Connections connections;
    static ServiceProcess api;
    static String key;
    static final EnvelopeCodec codec = new EnvelopeCodec();

    @TempDir
    Path temp;

    @BeforeAll
    static void api() throws Exception {
        ApiProcess.Running running = ApiProcess.withKey(WarcIT.class, TOPIC, 100_000, 100_000);
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
    void aSiteRecordedByWgetIsImportedPageForPage() throws Exception {
        Path wget = LocalTools.require("wget", "wget", "WARC import from a real crawler's archive");
        Map<String, Served> site = site();
        Map<String, LocalSite.Served> files = new LinkedHashMap<>();
        site.forEach((path, page) -> files.put(path, new LocalSite.Served(page.contentType(), page.bytes())));
        String base;
        try (LocalSite server = new LocalSite(files)) {
            base = server.base();
            Process recording = new ProcessBuilder(wget.toString(), "--warc-file=" + temp.resolve("crawl"), "--recursive", "--level=1",
                    "--no-verbose", "--execute=robots=off", "--directory-prefix=" + temp.resolve("mirror"), "--tries=1", base + "/index.html")
                    .redirectErrorStream(true).start();
            String output = new String(recording.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(recording.waitFor(2, TimeUnit.MINUTES)).isTrue();
            assertThat(temp.resolve("crawl.warc.gz")).as("wget wrote the archive; its output:\n" + output).isRegularFile();
        }

        CliRun run = CliRun.of(connections, Map.of("SLUICE_API_URL", "http://localhost:" + api.port(), "SLUICE_API_KEY", key),
                "import", "--format", "warc", temp.resolve("crawl.warc.gz").toString(), "--rejects", temp.resolve("rejected.ndjson").toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains(site.size() + " accepted, 0 rejected");

        Map<String, Page> imported = await().atMost(Duration.ofSeconds(30)).until(() -> pages(), pages -> pages.size() >= site.size());
        site.forEach((path, served) -> {
            Page page = imported.get(base + path);
            assertThat(page).as(path).isNotNull();
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.contentType()).as("as the server sent it").isEqualTo(served.contentType());
            assertThat(page.body()).as("%s decoded as %s", path, served.charset()).isEqualTo(new String(served.bytes(), served.charset()));
            assertThat(page.title()).isEqualTo(served.title());
            assertThat(page.metadata().path("sha256").asString()).startsWith("sha256:");
            assertThat(page.metadata().path("warc_payload_digest").asString()).startsWith("sha1:");
        });
        assertThat(imported.get(base + "/latin1.html").body()).contains("Caf\u00e9 cr\u00e8me");
    }

    @Test
    void pagesExportedAsWarcWithACdxjIndexAreImportedBackAsTheSamePages() throws Exception {
        List<Page> originals = new ArrayList<>();
        for (String line : Corpus.pages().subList(0, 25)) {
            originals.add(new dev.sluice.core.page.PageParser(dev.sluice.core.page.PageLimits.DEFAULTS).parse(Json.mapper().readTree(line)));
        }
        Connections exportDb = SharedStack.forTestClass(WarcExportDatabase.class);
        new SchemaMigrator(exportDb.dataSource()).migrate();
        try (Connection db = exportDb.dataSource().getConnection();
                PreparedStatement insert = db.prepareStatement("""
                        INSERT INTO pages (id, url, site, title, body, content_type, status, fetched_at, metadata, version,
                                           source_partition, source_offset)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, 1, 0, 0)""")) {
            for (Page page : originals) {
                insert.setString(1, page.url().id());
                insert.setString(2, page.url().normalized());
                insert.setString(3, page.url().site());
                insert.setString(4, page.title());
                insert.setString(5, page.body());
                insert.setString(6, page.contentType());
                insert.setObject(7, page.status());
                insert.setTimestamp(8, Timestamp.from(page.fetchedAt()));
                insert.setString(9, page.metadata().toString());
                insert.addBatch();
            }
            insert.executeBatch();
        }

        Path warc = temp.resolve("export.warc.gz");
        CliRun export = CliRun.of(exportDb, "export", "--format", "warc", "--output", warc.toString());
        assertThat(export.exitCode()).as(export.toString()).isZero();
        List<String> index = Files.readAllLines(temp.resolve("export.warc.gz.cdxj"));
        assertThat(index).hasSize(originals.size()).isSorted();
        try (WarcReader reader = new WarcReader(warc)) {
            for (String line : index) {
                JsonNode fields = Json.mapper().readTree(line.substring(line.indexOf('{')));
                reader.position(fields.path("offset").asLong());
                WarcRecord record = reader.next().orElseThrow();
                assertThat(record).as("the record at the index's offset").isInstanceOf(WarcResponse.class);
                assertThat(((WarcResponse) record).target()).isEqualTo(fields.path("url").asString());
                assertThat(((WarcResponse) record).payloadDigest().orElseThrow().prefixedBase32()).isEqualTo(fields.path("digest").asString());
            }
        }

        int before = pages().size();
        CliRun back = CliRun.of(connections, Map.of("SLUICE_API_URL", "http://localhost:" + api.port(), "SLUICE_API_KEY", key),
                "import", "--format", "warc", warc.toString(), "--rejects", temp.resolve("rejected-back.ndjson").toString());
        assertThat(back.exitCode()).as(back.toString()).isZero();
        Map<String, Page> imported = await().atMost(Duration.ofSeconds(30)).until(() -> pages(), pages -> pages.size() >= before + originals.size());
        assertThat(originals).allSatisfy(original -> {
            Page page = imported.get(original.url().normalized());
            assertThat(page).as(original.url().normalized()).isNotNull();
            assertThat(page.fetchedAt()).isEqualTo(original.fetchedAt());
            assertThat(page.status()).isEqualTo(original.status());
            assertThat(page.title()).isEqualTo(original.title());
            assertThat(page.contentType()).isEqualTo(original.contentType());
            assertThat(page.body()).isEqualTo(original.body());
            assertThat(page.metadata()).isEqualTo(original.metadata());
        });
    }

    /** A second database, for the pages to export. */
    static final class WarcExportDatabase {}

    record Served(String contentType, byte[] bytes, Charset charset, String title) {}

    /** An index linking real pages of the corpus, and a latin-1 page whose charset only its meta element gives. */
    private static Map<String, Served> site() {
        Map<String, Served> site = new LinkedHashMap<>();
        List<JsonNode> corpus = Corpus.pages().subList(0, 12).stream().map(line -> Json.mapper().readTree(line)).toList();
        StringBuilder index = new StringBuilder("<html><head><title>The index</title></head><body>");
        for (int i = 0; i < corpus.size(); i++) {
            String path = "/page-" + i + ".html";
            index.append("<a href=\"").append(path).append("\">").append(i).append("</a> ");
            String html = corpus.get(i).path("body").asString();
            site.put(path, new Served("text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8,
                    org.jsoup.Jsoup.parse(html).title()));
        }
        index.append("<a href=\"/latin1.html\">latin-1</a></body></html>");
        site.put("/index.html", new Served("text/html", index.toString().getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, "The index"));
        String latin1 = "<html><head><meta charset=\"iso-8859-1\"><title>Caf\u00e9</title></head><body><p>Caf\u00e9 cr\u00e8me</p></body></html>";
        site.put("/latin1.html", new Served("text/html", latin1.getBytes(StandardCharsets.ISO_8859_1), Charset.forName("windows-1252"), "Caf\u00e9"));
        return site;
    }

    /** The newest page of each URL on the API's topic. */
    private static Map<String, Page> pages() {
        return TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC).stream().map(record -> codec.decode(record.value()).page())
                .collect(Collectors.toMap(page -> page.url().normalized(), Function.identity(), (older, newer) -> newer));
    }

}
