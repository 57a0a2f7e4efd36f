package dev.sluice.api.write;

import dev.sluice.api.ApiFixtures;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Guarantee 7: the write path holds at most its in-flight budget; beyond it, 503 with Retry-After, not a collapse. */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.overload-it",
        "sluice.api.write.max-in-flight=64KB",
        "sluice.api.write.retry-after=2s"})
@AutoConfigureWebTestClient
class OverloadIT {

    @Autowired
    WebTestClient http;

    @LocalManagementPort
    int managementPort;

    private final String key = key();

    private static String key() {
        var connections = SharedStack.forTestClass(OverloadIT.class);
        ApiFixtures.migrate(connections);
        return ApiFixtures.createKey(connections);
    }

    @Test
    void aRequestBeyondTheInFlightBudgetIs503AndTheBudgetIsGivenBack() {
        String big = "{\"url\":\"https://overload.example/big\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"body\":\""
                + "x".repeat(100 * 1024) + "\"}";
        http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(big).exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "2")
                .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:overloaded");

        // The refused request's reservation was released: small writes still fit, one after another.
        for (int i = 0; i < 20; i++) {
            http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(WritePathIT.page("https://overload.example/" + i)).exchange()
                    .expectStatus().isAccepted();
        }
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build()
                .get().uri("/actuator/prometheus").exchange()
                .expectBody(String.class).value(metrics -> org.assertj.core.api.Assertions.assertThat(metrics)
                        .contains("sluice_api_inflight_bytes{application=\"api-service\"} 0.0")
                        .containsPattern("sluice_api_rejections_total\\{.*reason=\"overloaded\".*\\} 1\\.0")
                        .contains("sluice_api_pages_accepted_total{application=\"api-service\",op=\"upsert\"} 20.0"));
    }
}
