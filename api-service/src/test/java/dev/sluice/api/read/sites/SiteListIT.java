package dev.sluice.api.read.sites;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/sites/{site}/pages} on the real stack: keyset pages, cursors, caching by the site's generation. */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sluice.redis.key-prefix=site-list-it:")
@AutoConfigureWebTestClient
class SiteListIT {

    static StoredRows rows;

    @Autowired
    WebTestClient http;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(SiteListIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
    }

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    JsonNode page(String site, int limit, String cursor) {
        return http.get().uri(b -> {
                    b.path("/v1/sites/{site}/pages").queryParam("limit", limit);
                    if (cursor != null) {
                        b.queryParam("cursor", cursor);
                    }
                    return b.build(site);
                }).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    /** Every item's id, walking the list to its end. */
    List<String> walk(String site, int limit, Runnable betweenPages) {
        List<String> ids = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode answer = page(site, limit, cursor);
            answer.get("items").forEach(item -> ids.add(item.get("id").asString()));
            cursor = answer.get("next_cursor").isNull() ? null : answer.get("next_cursor").asString();
            betweenPages.run();
        } while (cursor != null);
        return ids;
    }

    @Test
    void listsASitesLivePagesNewestFirstInKeysetPages() {
        List<String> newestFirst = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            newestFirst.add(0, rows.page("https://list.example/p" + i, "Page " + i, "<p>" + i + "</p>", T0.plusSeconds(i), 1));
        }
        rows.page("https://other.example/x", "Not this site", "", T0, 1);
        String deleted = rows.page("https://list.example/deleted", "Deleted", "", T0.plusSeconds(100), 1);
        rows.update("UPDATE pages SET deleted_at = now(), version = 2 WHERE id = ?", deleted);

        JsonNode first = page("list.example", 3, null);
        assertThat(first.get("items")).hasSize(3);
        JsonNode item = first.get("items").get(0);
        assertThat(item.get("id").asString()).isEqualTo(newestFirst.get(0));
        assertThat(item.get("site").asString()).isEqualTo("list.example");
        assertThat(item.get("version").asLong()).isEqualTo(1);
        assertThat(item.get("fetched_at").asString()).isEqualTo("2026-11-20T10:00:06Z");
        assertThat(item.has("body")).as("items are summaries").isFalse();

        assertThat(walk("list.example", 3, () -> {})).containsExactlyElementsOf(newestFirst);
        assertThat(walk("LIST.example", 100, () -> {})).as("the site is a host name, case-insensitive").containsExactlyElementsOf(newestFirst);
    }

    @Test
    void paginationWhilePagesAreWrittenHasNoGapsAndNoDuplicates() {
        Set<String> before = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            before.add(rows.page("https://busy.example/p" + i, "P" + i, "", T0.plusSeconds(i), 1));
        }
        AtomicInteger written = new AtomicInteger();
        // Between every page of the walk a crawler writes: new pages, fresher and older than the cursor.
        List<String> seen = walk("busy.example", 7, () -> {
            int n = written.getAndIncrement();
            rows.page("https://busy.example/new-fresh-" + n, "Fresh", "", T0.plusSeconds(1_000 + n), 1);
            rows.page("https://busy.example/new-old-" + n, "Old", "", T0.minusSeconds(1_000 + n), 1);
        });

        assertThat(seen).doesNotHaveDuplicates();
        assertThat(seen).containsAll(before);
        assertThat(written.get()).isGreaterThan(5);
    }

    @Test
    void answersAreCachedUntilTheSiteChanges() {
        String id = rows.page("https://cached-list.example/a", "A", "", T0, 1);
        assertThat(page("cached-list.example", 10, null).get("items").get(0).get("title").asString()).isEqualTo("A");
        assertThat(redis.keys(keys.siteList("cached-list.example", 0, "*"))).hasSize(1);

        rows.update("UPDATE pages SET title = 'B', version = 2 WHERE id = ?", id);
        assertThat(page("cached-list.example", 10, null).get("items").get(0).get("title").asString())
                .as("served from the cache until the invalidator retires the site's lists").isEqualTo("A");

        redis.opsForValue().increment(keys.siteGeneration("cached-list.example")); // what the invalidator does
        assertThat(page("cached-list.example", 10, null).get("items").get(0).get("title").asString()).isEqualTo("B");
    }

    @Test
    void aForgedOrForeignCursorIsRefused() {
        for (int i = 0; i < 3; i++) {
            rows.page("https://cursor.example/p" + i, "P", "", T0.plusSeconds(i), 1);
            rows.page("https://elsewhere.example/p" + i, "P", "", T0.plusSeconds(i), 1);
        }
        String cursor = page("cursor.example", 1, null).get("next_cursor").asString();
        int middle = cursor.length() / 2; // a payload byte (the last character holds padding bits a decoder ignores)
        String tampered = cursor.substring(0, middle) + (cursor.charAt(middle) == 'A' ? 'B' : 'A') + cursor.substring(middle + 1);

        for (String bad : List.of(tampered, "not-a-cursor", cursor.substring(0, 10))) {
            http.get().uri("/v1/sites/cursor.example/pages?cursor={c}", bad).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-cursor");
        }
        http.get().uri("/v1/sites/elsewhere.example/pages?cursor={c}", cursor).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("another list"));
        http.get().uri("/v1/sites/cursor.example/pages?limit=0").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-limit");
        http.get().uri("/v1/sites/cursor.example/pages?limit=101").exchange().expectStatus().isBadRequest();
        http.get().uri("/v1/sites/bad~site/pages").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-site");
        http.get().uri("/v1/sites/bad site!/pages").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-path");
    }

    @Test
    void anUnknownSiteHasAnEmptyList() {
        JsonNode answer = page("nobody.example", 10, null);
        assertThat(answer.get("items")).isEmpty();
        assertThat(answer.get("next_cursor").isNull()).isTrue();
    }
}
