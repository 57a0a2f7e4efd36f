package dev.sluice.api.read.sites;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.stats.SiteStats;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.time.Instant;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/** {@code GET /v1/sites/{site}/stats}: from the invalidator's statistics in Redis, else from PostgreSQL. */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sluice.redis.key-prefix=site-stats-it:")
@AutoConfigureWebTestClient
class SiteStatsIT {

    static StoredRows rows;

    @Autowired
    WebTestClient http;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(SiteStatsIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
    }

    JsonNode stats(String site) {
        return http.get().uri("/v1/sites/{site}/stats", site).exchange()
                .expectStatus().isOk()
                .expectBody(JsonNode.class).returnResult().getResponseBody();
    }

    @Test
    void servesTheStatisticsTheChangeFeedMaintains() {
        long minute = Math.floorDiv(Instant.now().getEpochSecond(), 60);
        TreeMap<Long, Long> perMinute = new TreeMap<>();
        perMinute.put(minute - 20, 5_000L); // outside every window
        perMinute.put(minute - 3, 600L);
        perMinute.put(minute, 30L);
        redis.opsForValue().set(keys.siteStats("feed.example"),
                new SiteStats(42, Instant.parse("2026-11-20T10:00:00Z"), perMinute).toJson());

        JsonNode answer = stats("feed.example");

        assertThat(answer.get("site").asString()).isEqualTo("feed.example");
        assertThat(answer.get("pages").asLong()).isEqualTo(42);
        assertThat(answer.get("last_fetched_at").asString()).isEqualTo("2026-11-20T10:00:00Z");
        assertThat(answer.get("source").asString()).isEqualTo("change-feed");
        double fiveMinutes = answer.get("ingest_rate").get("changes_per_second_5m").asDouble();
        assertThat(fiveMinutes).isBetween(630 / 300.0 - 0.01, 630 / 240.0 + 0.01);
        assertThat(answer.get("ingest_rate").get("changes_per_second_15m").asDouble()).isLessThan(fiveMinutes);
    }

    @Test
    void withoutStatisticsInRedisTheyAreComputedFromPostgres() {
        rows.page("https://db-stats.example/a", "A", "", Instant.parse("2026-11-20T10:00:00Z"), 1);
        rows.page("https://db-stats.example/b", "B", "", Instant.parse("2026-11-21T10:00:00Z"), 1);

        JsonNode answer = stats("db-stats.example");

        assertThat(answer.get("pages").asLong()).isEqualTo(2);
        assertThat(answer.get("last_fetched_at").asString()).isEqualTo("2026-11-21T10:00:00Z");
        assertThat(answer.get("ingest_rate").get("changes_per_second_1m").asDouble()).isEqualTo(0.03); // 2 rows in the last minute
        assertThat(answer.get("source").asString()).isEqualTo("database");
    }

    @Test
    void aSiteWithoutPagesIsNotFound() {
        http.get().uri("/v1/sites/nobody.example/stats").exchange()
                .expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:site-not-found");
    }
}
