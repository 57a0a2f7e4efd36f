package dev.sluice.infra.test;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Assertions on a service's {@code /actuator/health/readiness}. */
public final class Readiness {

    private Readiness() {}

    /** Waits until the service reports ready with each of these health components up. */
    public static void awaitReady(WebTestClient http, String... components) {
        Awaitility.await().alias("service ready with " + String.join(", ", components))
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> {
                    WebTestClient.BodyContentSpec body = http.get().uri("/actuator/health/readiness").exchange()
                            .expectStatus().isOk()
                            .expectBody()
                            .jsonPath("$.status").isEqualTo("UP");
                    for (String component : components) {
                        body.jsonPath("$.components." + component + ".status").isEqualTo("UP");
                    }
                });
    }
}
