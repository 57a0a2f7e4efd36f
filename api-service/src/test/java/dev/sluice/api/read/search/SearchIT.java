package dev.sluice.api.read.search;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/search} on the real stack, over {@code page_search} rows as the indexer writes them. */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sluice.redis.key-prefix=search-it:")
@AutoConfigureWebTestClient
class SearchIT {

    static StoredRows rows;
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @Autowired
    WebTestClient http;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(SearchIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
    }

    String indexed(String url, String title, String text) {
        String id = rows.page(url, title, "<p>" + text + "</p>", T0, 1);
        rows.indexed(id, text);
        return id;
    }

    JsonNode search(String query) {
        return http.get().uri("/v1/search?" + query).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    @Test
    void findsPagesByTitleAndTextRankedWithAHighlightedSnippet() {
        String inTitle = indexed("https://search.example/walrus", "Walrus migration", "Notes on arctic animals and their routes.");
        String inText = indexed("https://search.example/seals", "Seals", "A colony of seals, and one walrus sleeping on the ice floe.");
        indexed("https://search.example/none", "Penguins", "Nothing about that animal here.");

        JsonNode answer = search("q=walrus");

        assertThat(answer.get("items")).extracting(item -> item.get("id").asString()).containsExactly(inTitle, inText);
        JsonNode second = answer.get("items").get(1);
        assertThat(second.get("site").asString()).isEqualTo("search.example");
        assertThat(second.get("version").asLong()).isEqualTo(1);
        assertThat(second.get("snippet").asString()).contains("<b>walrus</b>");
        assertThat(answer.get("next_cursor").isNull()).isTrue();
    }

    @Test
    void understandsPhrasesExclusionsAndASiteFilter() {
        String a = indexed("https://a.search.example/1", "Keyset pagination", "cursor based keyset pagination in postgres");
        String b = indexed("https://b.search.example/1", "Offset pagination", "pagination by offset is slow, unlike a keyset");
        assertThat(search("q=\"keyset pagination\"").get("items")).extracting(i -> i.get("id").asString()).containsExactly(a);
        assertThat(search("q=pagination -offset").get("items")).extracting(i -> i.get("id").asString()).containsExactly(a);
        assertThat(search("q=pagination&site=b.search.example").get("items")).extracting(i -> i.get("id").asString()).containsExactly(b);
    }

    @Test
    void pagesThroughEveryHitOnceWithCursors() {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            expected.add(indexed("https://many.search.example/" + i, "Lighthouse " + i,
                    "lighthouse ".repeat(1 + i % 4) + "keeper log number " + i));
        }
        List<String> seen = new ArrayList<>();
        List<Double> ranks = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode answer = search("q=lighthouse&site=many.search.example&limit=5" + (cursor == null ? "" : "&cursor=" + cursor));
            answer.get("items").forEach(item -> {
                seen.add(item.get("id").asString());
                ranks.add(item.get("rank").asDouble());
            });
            cursor = answer.get("next_cursor").isNull() ? null : answer.get("next_cursor").asString();
        } while (cursor != null);

        assertThat(seen).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(ranks).isSortedAccordingTo((x, y) -> Double.compare(y, x));
        String first = search("q=lighthouse&site=many.search.example&limit=5").get("next_cursor").asString();
        http.get().uri("/v1/search?q=keeper&site=many.search.example&cursor=" + first).exchange()
                .expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-cursor");
    }

    @Test
    void resultsAreCachedUntilTheIndexerRetiresThem() {
        String id = indexed("https://cache.search.example/1", "Zeppelin", "airship history");
        assertThat(search("q=zeppelin&site=cache.search.example").get("items")).hasSize(1);
        assertThat(search("q=zeppelin").get("items")).hasSize(1);

        rows.update("DELETE FROM page_search WHERE id = ?", id);
        assertThat(search("q=zeppelin&site=cache.search.example").get("items")).as("cached").hasSize(1);

        redis.opsForValue().increment(keys.siteSearchGeneration("cache.search.example")); // what the indexer does
        assertThat(search("q=zeppelin&site=cache.search.example").get("items")).isEmpty();
        assertThat(search("q=zeppelin").get("items")).as("the global generation did not move").hasSize(1);
        redis.opsForValue().increment(keys.searchGeneration());
        assertThat(search("q=zeppelin").get("items")).isEmpty();
    }

    @Test
    void aMissingOrOverlongQueryIsAProblem() {
        http.get().uri("/v1/search").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:missing-query");
        http.get().uri("/v1/search?q=" + "x".repeat(300)).exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:query-too-long");
        assertThat(search("q=" + "%26%7C%21%28").get("items")).as("operators alone are no error").isEmpty();
    }
}
