package dev.sluice.cli.export;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CliRun;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/** Exports by site and fetch time, in the POST format: what comes out is what a crawler could post again. */
@SharedStackTest
class ExportIT {

    static Connections connections;
    static JdbcTemplate db;

    @TempDir
    Path temp;

    @BeforeAll
    static void pages() {
        connections = SharedStack.forTestClass(ExportIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        insert("https://export.example/early", "2026-11-19T10:00:00Z", null);
        insert("https://export.example/in-1", "2026-11-20T10:00:00Z", null);
        compressed("https://export.example/in-2"); // as the workers store bodies; in-1 is stored as text (a row from before)
        insert("https://export.example/deleted", "2026-11-20T12:00:00Z", "2026-11-20T13:00:00Z");
        insert("https://export.example/late", "2026-11-21T10:00:00Z", null);
        insert("https://other.example/in", "2026-11-20T10:00:00Z", null);
    }

    @Test
    void exportsTheLivePagesOfASiteInATimeRangeAsPostablePages() throws Exception {
        Path file = temp.resolve("export.ndjson.gz");

        CliRun run = CliRun.of(connections, "export", "--site", "export.example", "--from", "2026-11-20T00:00Z",
                "--to", "2026-11-21T00:00Z", "--output", file.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("Exported 2 page(s)");
        List<String> lines = lines(file);
        PageParser parser = new PageParser(PageLimits.DEFAULTS);
        List<Page> pages = lines.stream().map(line -> parser.parse(Json.mapper().readTree(line))).toList();
        assertThat(pages).extracting(page -> page.url().normalized())
                .containsExactly("https://export.example/in-1", "https://export.example/in-2");
        assertThat(pages.get(0).body()).isEqualTo("body of https://export.example/in-1");
        assertThat(pages.get(1).body()).isEqualTo("body of https://export.example/in-2");
        assertThat(pages.get(0).metadata().path("crawler").asString()).isEqualTo("c-17");
        assertThat(pages.get(0).fetchedAt()).isEqualTo(Instant.parse("2026-11-20T10:00:00Z"));
    }

    @Test
    void exportsEverySiteWithoutFilters() throws Exception {
        Path file = temp.resolve("all.ndjson");

        CliRun run = CliRun.of(connections, "export", "--output", file.toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readAllLines(file)).hasSize(5);
    }

    private static void insert(String url, String fetchedAt, String deletedAt) {
        PageUrl page = PageUrl.parse(url);
        db.update("""
                INSERT INTO pages (id, url, site, title, body, content_type, status, fetched_at, metadata, version, deleted_at,
                                   source_partition, source_offset)
                VALUES (?, ?, ?, ?, ?, 'text/html', 200, ?, '{"crawler": "c-17"}', 1, ?, 0, 0)""",
                page.id(), page.normalized(), page.site(), "Title of " + url, "body of " + url,
                Timestamp.from(Instant.parse(fetchedAt)), deletedAt == null ? null : Timestamp.from(Instant.parse(deletedAt)));
    }

    private static void compressed(String url) {
        insert(url, "2026-11-20T12:00:00Z", null);
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            db.update("UPDATE pages SET body = NULL, body_zstd = ? WHERE id = ?", compressor.compress("body of " + url), PageUrl.parse(url).id());
        }
    }

    private static List<String> lines(Path gzip) throws Exception {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(gzip)),
                StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }
}
