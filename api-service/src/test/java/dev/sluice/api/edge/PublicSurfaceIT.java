package dev.sluice.api.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.api.StoredRows;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * What the public port answers to someone without a key, however a path is spelled, when reads require a key: no
 * spelling of a route reaches a handler unauthenticated, nothing is a 500, and health and metrics are only on the
 * management port.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.public-surface-it",
        "sluice.redis.key-prefix=public-surface-it:",
        "sluice.api.auth.reads-require-key=true"})
class PublicSurfaceIT {

    static String key;
    static String id;

    @LocalServerPort
    int port;

    @LocalManagementPort
    int managementPort;

    @BeforeAll
    static void aStoredPageAndAKey() {
        Connections connections = SharedStack.forTestClass(PublicSurfaceIT.class);
        ApiFixtures.migrate(connections);
        key = ApiFixtures.createKey(connections);
        id = new StoredRows(connections.dataSource())
                .page("https://surface.example/secret", "Secret", "<p>only with a key</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
    }

    RawHttp http() {
        return new RawHttp(port, Duration.ofSeconds(10));
    }

    @Test
    void withAKeyThePageIsThere() {
        RawHttp.Answer answer = http().send("GET", "/v1/pages/" + id, Map.of("Authorization", "Bearer " + key));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.text()).contains("only with a key");
    }

    @Test
    void noSpellingOfAReadRouteIsAnsweredWithoutAKey() {
        List<String> spellings = List.of(
                "/v1/pages/" + id,
                "/v1;x/pages/" + id,
                "/v1/pages;x/" + id,
                "/v1/pages/" + id + ";x=1",
                "/%76%31/pages/" + id,
                "/v1/%70ages/" + id,
                "/v1%2Fpages/" + id,
                "/v1/pages%2F" + id,
                "//v1/pages/" + id,
                "/v1//pages/" + id,
                "/./v1/pages/" + id,
                "/v1/./pages/" + id,
                "/v1/x/../pages/" + id,
                "/v1/%2e%2e/v1/pages/" + id,
                "/V1/pages/" + id,
                "/v1/pages/" + id.toUpperCase(),
                "/v1\\pages\\" + id,
                "/v1;a/sites/surface.example/pages",
                "/%76%31/sites/surface.example/pages",
                "/v1;a/sites/surface.example/stats",
                "/v1;a/search?q=secret",
                "/%76%31/search?q=secret",
                "/v1/pages?url=https://surface.example/secret",
                "/v1;a/pages?url=https://surface.example/secret");
        for (String path : spellings) {
            RawHttp.Answer answer = http().send("GET", path, Map.of());
            assertThat(answer.ending()).as(path).isEqualTo(RawHttp.Ending.ANSWERED);
            assertThat(answer.status()).as(path + ": " + answer).isIn(400, 401, 404);
            assertThat(answer.header("content-type")).as(path).isEqualTo("application/problem+json");
            assertThat(answer.text()).as(path).doesNotContain("only with a key").doesNotContain("Secret");
        }
    }

    @Test
    void pathsThatRoutingWouldReadAnotherWayAreRefusedByNameWhatever() {
        for (String path : List.of("/v1;x/pages/" + id, "/%76%31/pages/" + id, "//v1/pages/" + id, "/v1/x/../pages/" + id)) {
            RawHttp.Answer answer = http().send("GET", path, Map.of("Authorization", "Bearer " + key));
            assertThat(answer.status()).as(path).isEqualTo(400);
            assertThat(answer.text()).as(path).contains("urn:sluice:problem:invalid-path");
        }
    }

    @Test
    void writesWithoutAKeyAreUnauthorizedUnderEverySpellingNeverA500() {
        byte[] page = "{\"url\":\"https://surface.example/new\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}".getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("/v1/pages", "/v1;x/pages", "/%76%31/pages", "/v1/pages/batch", "/v1;a/pages/batch",
                "/v1/pages;a/batch", "/nothing/here", "/actuator/shutdown")) {
            RawHttp.Answer answer = http().send("POST", path, Map.of("Content-Type", "application/json",
                    "Content-Length", Integer.toString(page.length)), RawHttp.Body.of(page));
            assertThat(answer.status()).as(path + ": " + answer).isIn(400, 401);
            assertThat(answer.header("content-type")).as(path).isEqualTo("application/problem+json");
        }
        RawHttp.Answer delete = http().send("DELETE", "/v1;x/pages/" + id, Map.of());
        assertThat(delete.status()).isIn(400, 401);
    }

    @Test
    void healthAndMetricsAreOnTheManagementPortOnly() {
        assertThat(managementPort).isNotEqualTo(port);
        RawHttp management = new RawHttp(managementPort, Duration.ofSeconds(10));
        assertThat(management.send("GET", "/actuator/health/liveness", Map.of()).status()).isEqualTo(200);
        assertThat(management.send("GET", "/actuator/prometheus", Map.of()).text()).contains("jvm_memory_used_bytes");

        for (String path : List.of("/actuator/health", "/actuator/prometheus", "/actuator/env")) {
            RawHttp.Answer withoutKey = http().send("GET", path, Map.of());
            assertThat(withoutKey.status()).as(path).isEqualTo(401);
            RawHttp.Answer withKey = http().send("GET", path, Map.of("Authorization", "Bearer " + key));
            assertThat(withKey.status()).as(path + " is not served on the public port").isEqualTo(404);
            assertThat(withKey.text()).doesNotContain("jvm_memory");
        }
    }

    @Test
    void aMalformedEscapeInTheQueryIsAProblemNotAnEmpty400() {
        RawHttp.Answer answer = http().send("GET", "/v1/sites/surface.example/pages?cursor=%%%%", Map.of("Authorization", "Bearer " + key));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
        assertThat(answer.text()).contains("urn:sluice:problem:invalid-uri");
    }
}
