package dev.sluice.api.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.api.token.ConsistencyTokens;
import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.token.ConsistencyToken;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Reads on the real stack. Rows are written as the ingest worker writes them, and the invalidator's part is
 * played by its own script ({@link PageCacheProtocol#INVALIDATE}) on the same Redis.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.read-it",
        "sluice.redis.key-prefix=read-it:",
        "sluice.api.read.consistency-wait=1s"})
@AutoConfigureWebTestClient
class ReadPathIT {

    /** Writes as the ingest worker does (it owns the table; here, plain SQL). */
    static StoredRows db;

    @Autowired
    WebTestClient http;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    @Autowired
    ConsistencyTokens tokens;

    @Autowired
    MeterRegistry meters;

    double degradedRedisCalls() {
        return meters.find("sluice.api.read.degraded").counters().stream().mapToDouble(Counter::count).sum();
    }

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(ReadPathIT.class);
        ApiFixtures.migrate(connections);
        db = new StoredRows(connections.dataSource());
    }

    static String store(String url, String title, long version) {
        String id = PageUrl.parse(url).id();
        db.update("""
                INSERT INTO pages (id, url, site, title, body, content_type, status, fetched_at, version, source_partition, source_offset)
                VALUES (?, ?, ?, ?, '<p>body</p>', 'text/html', 200, '2026-11-20T10:15:30Z'::timestamptz, ?, 0, 0)
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, version = excluded.version""",
                id, PageUrl.parse(url).normalized(), PageUrl.parse(url).site(), title, version);
        return id;
    }

    void invalidate(String id, long version) {
        redis.execute(RedisScript.of(PageCacheProtocol.INVALIDATE, Long.class), List.of(keys.page(id), keys.pageFence(id)),
                Long.toString(version), "60000");
    }

    @Test
    void aMissReadsPostgresAndFillsTheCacheAndTheNextReadIsAHit() {
        String id = store("https://read.example/miss-then-hit", "First", 1);
        double degradedBefore = degradedRedisCalls();

        http.get().uri("/v1/pages/{id}", id).exchange()
                .expectStatus().isOk()
                .expectHeader().valueEquals("ETag", "\"1\"")
                .expectBody()
                .jsonPath("$.id").isEqualTo(id)
                .jsonPath("$.site").isEqualTo("read.example")
                .jsonPath("$.version").isEqualTo(1)
                .jsonPath("$.title").isEqualTo("First")
                .jsonPath("$.fetched_at").isEqualTo("2026-11-20T10:15:30Z");
        assertThat(redis.opsForHash().get(keys.page(id), "v")).isEqualTo("1");

        db.update("UPDATE pages SET title = 'changed without invalidation' WHERE id = ?", id);
        http.get().uri("/v1/pages/{id}", id).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.title").isEqualTo("First"); // served from the cache
        assertThat(degradedRedisCalls()).as("Redis calls that failed on a healthy Redis").isEqualTo(degradedBefore);
    }

    @Test
    void aBodyReadsTheSameWhetherItsRowHoldsItCompressedOrAsTextFromBeforeCompression() {
        String body = "<html><body>" + "<p>prix d'été — 15 € 🚀</p>".repeat(200) + "</body></html>";
        Instant fetched = Instant.parse("2026-11-20T10:15:30Z");
        String compressed = db.page("https://read.example/compressed", "Same", body, fetched, 1);
        String asText = db.pageStoredAsText("https://read.example/as-text", "Same", body, fetched, 1);

        for (String id : List.of(compressed, asText)) {
            for (int read = 0; read < 2; read++) { // a miss, then a hit of what the miss cached
                http.get().uri("/v1/pages/{id}", id).exchange()
                        .expectStatus().isOk()
                        .expectBody().jsonPath("$.body").isEqualTo(body);
            }
        }
    }

    @Test
    void aNotFoundIsCachedAndAnInsertClearsIt() {
        String url = "https://read.example/not-yet";
        String id = PageUrl.parse(url).id();
        http.get().uri("/v1/pages/{id}", id).exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:page-not-found");
        assertThat(redis.opsForHash().get(keys.page(id), "v")).as("the 404 is cached").isEqualTo("0");

        store(url, "Now here", 1);
        invalidate(id, 1);

        http.get().uri("/v1/pages?url={url}", url).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.title").isEqualTo("Now here");
    }

    @Test
    void anEtagMatchAnswers304() {
        String id = store("https://read.example/etag", "Tagged", 4);
        http.get().uri("/v1/pages/{id}", id).header("If-None-Match", "\"4\"").exchange()
                .expectStatus().isNotModified()
                .expectHeader().valueEquals("ETag", "\"4\"")
                .expectBody().isEmpty();
        http.get().uri("/v1/pages/{id}", id).header("If-None-Match", "\"3\"").exchange().expectStatus().isOk();
    }

    @Test
    void aTombstoneIsAbsent() {
        String id = store("https://read.example/deleted", "Gone", 2);
        db.update("UPDATE pages SET deleted_at = now(), body = NULL WHERE id = ?", id);
        http.get().uri("/v1/pages/{id}", id).exchange().expectStatus().isNotFound();
    }

    @Test
    void badIdsAndUrlsAreProblemsNotErrors() {
        http.get().uri("/v1/pages/not-an-id").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-page-id");
        http.get().uri("/v1/pages?url=ftp://x").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-url");
        http.get().uri("/v1/pages").exchange().expectStatus().isBadRequest();
        http.get().uri("/v1/pages/{id}", "0123456789abcdef0123456789abcdef").header("Consistency-Token", "garbled").exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-consistency-token");
    }

    @Test
    void aReadWithATokenWaitsForItsWriteThenReadsFreshOr504s() {
        String id = store("https://read.example/ryw", "Old", 1);
        http.get().uri("/v1/pages/{id}", id).exchange().expectStatus().isOk(); // cached at v1
        String token = tokens.issue(ConsistencyToken.of(Map.of(3, 100L)));

        // the write is not applied yet: 504 after the bounded wait
        http.mutate().responseTimeout(Duration.ofSeconds(10)).build()
                .get().uri("/v1/pages/{id}", id).header("Consistency-Token", token).exchange()
                .expectStatus().isEqualTo(504)
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:consistency-timeout");

        // the worker applies it (new row version, positions published), the invalidator has not run yet
        db.update("UPDATE pages SET title = 'New', version = 2 WHERE id = ?", id);
        redis.opsForHash().put(keys.appliedPositions("pages.read-it"), "3", "101");

        http.get().uri("/v1/pages/{id}", id).header("Consistency-Token", token).exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.title").isEqualTo("New");
    }
}
