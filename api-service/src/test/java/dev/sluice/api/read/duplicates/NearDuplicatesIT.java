package dev.sluice.api.read.duplicates;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * {@code GET /v1/pages/{id}/near-duplicates} and the site statistics' {@code near_duplicates}, over
 * {@code page_search} rows with fingerprints as the indexer writes them.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sluice.redis.key-prefix=near-duplicates-it:")
@AutoConfigureWebTestClient
class NearDuplicatesIT {

    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    static final long BASE = 0x0123_4567_89ab_cdefL;
    /** Far from BASE in every block: the tests share one table. */
    static final long OTHER_BASE = 0x5a5a_a5a5_3c3c_c3c3L;
    static StoredRows rows;

    @Autowired
    WebTestClient http;

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(NearDuplicatesIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
    }

    String fingerprinted(String url, Long simhash, String duplicateOf) {
        String id = rows.page(url, "Title of " + url, "<p>text</p>", T0, 1);
        rows.indexed(id, "text");
        rows.update("UPDATE page_search SET simhash = ?, duplicate_of = ? WHERE id = ?", simhash, duplicateOf, id);
        return id;
    }

    JsonNode near(String id, String query) {
        return http.get().uri("/v1/pages/" + id + "/near-duplicates" + query).exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    @Test
    void listsThePagesWithinThreeBitsNearestFirst() {
        String page = fingerprinted("https://near.example/page", BASE, null);
        String oneBit = fingerprinted("https://near.example/one-bit", BASE ^ 0x1L, page);
        String threeBits = fingerprinted("https://other.near.example/three-bits", BASE ^ 0x8000_0000_0001_0001L, null);
        fingerprinted("https://near.example/four-bits", BASE ^ 0xFL, null);
        fingerprinted("https://near.example/different", ~BASE, null);
        fingerprinted("https://near.example/no-words", null, null);

        JsonNode answer = near(page, "");

        assertThat(answer.get("fingerprint").asString()).isEqualTo("0123456789abcdef");
        assertThat(answer.get("max_distance").asInt()).isEqualTo(3);
        assertThat(answer.get("near_duplicates")).extracting(item -> item.get("id").asString()).containsExactly(oneBit, threeBits);
        assertThat(answer.get("near_duplicates")).extracting(item -> item.get("distance").asInt()).containsExactly(1, 3);
        assertThat(answer.get("near_duplicates").get(1).get("site").asString()).isEqualTo("other.near.example");
        assertThat(near(page, "?limit=1").get("near_duplicates")).extracting(item -> item.get("id").asString()).containsExactly(oneBit);
    }

    @Test
    void aPageWithoutWordsHasNoFingerprintAndNoNearDuplicates() {
        String empty = fingerprinted("https://near.example/empty", null, null);

        JsonNode answer = near(empty, "");

        assertThat(answer.get("fingerprint").isNull()).isTrue();
        assertThat(answer.get("near_duplicates")).isEmpty();
    }

    @Test
    void aPageNotInTheIndexIsNotFoundAndAMalformedIdIsRefused() {
        http.get().uri("/v1/pages/00000000000000000000000000000000/near-duplicates").exchange()
                .expectStatus().isNotFound().expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:page-not-found");
        http.get().uri("/v1/pages/not-an-id/near-duplicates").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-page-id");
        http.get().uri("/v1/pages/00000000000000000000000000000000/near-duplicates?limit=1000").exchange()
                .expectStatus().isBadRequest().expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-limit");
    }

    @Test
    void aSitesStatisticsCountItsNearDuplicatePages() {
        String first = fingerprinted("https://ratio.example/a", OTHER_BASE, null);
        fingerprinted("https://ratio.example/b", OTHER_BASE ^ 0x2L, first);
        fingerprinted("https://ratio.example/c", OTHER_BASE ^ 0x4L, first);
        fingerprinted("https://ratio.example/d", ~OTHER_BASE, null);

        JsonNode near = http.get().uri("/v1/sites/ratio.example/stats").exchange()
                .expectStatus().isOk().expectBody(JsonNode.class).returnResult().getResponseBody().get("near_duplicates");

        assertThat(near.get("indexed_pages").asLong()).isEqualTo(4);
        assertThat(near.get("pages").asLong()).isEqualTo(2);
        assertThat(near.get("ratio").asDouble()).isEqualTo(0.5);
    }
}
