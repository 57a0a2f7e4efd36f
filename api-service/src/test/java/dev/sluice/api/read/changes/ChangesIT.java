package dev.sluice.api.read.changes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.core.page.PageUrl;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/changes} walked while writers insert, update and delete pages in transactions that overlap and
 * commit out of order: every change is seen exactly once (no (page, version) twice), and at the end the last change
 * seen of each page is the table's row (no gap).
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sluice.redis.key-prefix=changes-it:")
@AutoConfigureWebTestClient
class ChangesIT {

    static final int PAGES = 150;
    static Connections connections;
    static String key;

    @Autowired
    WebTestClient http;

    @BeforeAll
    static void schema() {
        connections = SharedStack.forTestClass(ChangesIT.class);
        ApiFixtures.migrate(connections);
        key = ApiFixtures.createKey(connections, 100_000, 100_000, "read"); // a walker polls faster than anonymous reads may
    }

    @Test
    void aWalkUnderConcurrentWritesSeesEveryChangeOnceAndEndsAtTheTable() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (int w = 0; w < 3; w++) {
            Thread writer = new Thread(() -> {
                try (Connection db = connections.dataSource().getConnection()) {
                    db.setAutoCommit(false);
                    while (writing.get()) {
                        int changes = 1 + ThreadLocalRandom.current().nextInt(3);
                        for (int c = 0; c < changes; c++) {
                            write(db, ThreadLocalRandom.current().nextInt(PAGES));
                        }
                        if (ThreadLocalRandom.current().nextInt(4) == 0) {
                            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(50_000_000, 300_000_000)); // committing late
                        }
                        db.commit();
                    }
                } catch (Throwable e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, "writer-" + w);
            writer.start();
            writers.add(writer);
        }

        Set<String> seen = new HashSet<>();
        List<String> duplicates = new ArrayList<>();
        Map<String, JsonNode> last = new HashMap<>();
        String cursor = null;
        long deadline = System.nanoTime() + 6_000_000_000L;
        while (System.nanoTime() < deadline) {
            cursor = walk(cursor, seen, duplicates, last);
        }
        writing.set(false);
        for (Thread writer : writers) {
            writer.join();
        }
        assertThat(failures).isEmpty();
        // every transaction has ended: the walk catches up and then stays empty
        for (int empty = 0; empty < 2; ) {
            int before = seen.size();
            cursor = walk(cursor, seen, duplicates, last);
            empty = seen.size() == before ? empty + 1 : 0;
        }

        assertThat(duplicates).as("changes seen twice").isEmpty();
        Map<String, String> table = table();
        assertThat(table).hasSizeGreaterThan(PAGES / 2);
        assertThat(last.keySet()).as("every page of the table was seen").containsExactlyInAnyOrderElementsOf(table.keySet());
        table.forEach((id, state) -> assertThat(last.get(id).path("version").asLong() + " " + last.get(id).path("op").asString())
                .as("the last change of %s is the row", id).isEqualTo(state));
        assertThat(seen.size()).as("changes walked").isGreaterThan(table.size());
    }

    @Test
    void aSiteOnlyAndAForgedCursorRefused() {
        write(PageUrl.parse("https://other-site.example/a"));
        JsonNode answer = http.get().uri("/v1/changes?site=other-site.example&limit=100").exchange().expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
        assertThat(answer.path("changes")).allSatisfy(change -> assertThat(change.path("site").asString()).isEqualTo("other-site.example"));
        String cursor = answer.path("next_cursor").asString();
        http.get().uri(b -> b.path("/v1/changes").queryParam("cursor", cursor).build()).exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-cursor");
    }

    private String walk(String cursor, Set<String> seen, List<String> duplicates, Map<String, JsonNode> last) {
        String from = cursor;
        JsonNode answer = http.get().uri(b -> {
            b.path("/v1/changes").queryParam("limit", 50);
            if (from != null) {
                b.queryParam("cursor", from);
            }
            return b.build();
        }).header("Authorization", "Bearer " + key).exchange().expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
        for (JsonNode change : answer.path("changes")) {
            String key = change.path("id").asString() + "@" + change.path("version").asLong();
            if (!seen.add(key)) {
                duplicates.add(key);
            }
            last.put(change.path("id").asString(), change);
        }
        assertThat(answer.path("next_cursor").isString()).isTrue();
        return answer.path("next_cursor").asString();
    }

    /** Inserts, updates or deletes page {@code n}, moving its version, in the caller's transaction. */
    private static void write(Connection db, int n) throws Exception {
        PageUrl url = PageUrl.parse("https://changes.example/" + n);
        boolean delete = ThreadLocalRandom.current().nextInt(5) == 0;
        try (PreparedStatement statement = db.prepareStatement(delete
                ? "UPDATE pages SET deleted_at = now(), title = NULL, body = NULL, version = version + 1 WHERE id = ? AND deleted_at IS NULL"
                : """
                INSERT INTO pages (id, url, site, title, fetched_at, version, source_partition, source_offset)
                VALUES (?, ?, ?, 'v', ?, 1, 0, 0)
                ON CONFLICT (id) DO UPDATE SET title = 'v' || pages.version + 1, deleted_at = NULL, fetched_at = excluded.fetched_at,
                    version = pages.version + 1""")) {
            statement.setString(1, url.id());
            if (!delete) {
                statement.setString(2, url.normalized());
                statement.setString(3, url.site());
                statement.setTimestamp(4, Timestamp.from(Instant.now()));
            }
            statement.executeUpdate();
        }
    }

    private static void write(PageUrl url) {
        try (Connection db = connections.dataSource().getConnection(); PreparedStatement insert = db.prepareStatement("""
                INSERT INTO pages (id, url, site, fetched_at, version, source_partition, source_offset) VALUES (?, ?, ?, now(), 1, 0, 0)
                ON CONFLICT (id) DO NOTHING""")) {
            insert.setString(1, url.id());
            insert.setString(2, url.normalized());
            insert.setString(3, url.site());
            insert.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Each page of changes.example: "version op". */
    private static Map<String, String> table() throws Exception {
        Map<String, String> rows = new HashMap<>();
        try (Connection db = connections.dataSource().getConnection(); Statement sql = db.createStatement();
                ResultSet row = sql.executeQuery("SELECT id, version, deleted_at IS NOT NULL FROM pages WHERE site = 'changes.example'")) {
            while (row.next()) {
                rows.put(row.getString(1), row.getLong(2) + " " + (row.getBoolean(3) ? "delete" : "upsert"));
            }
        }
        return rows;
    }
}
