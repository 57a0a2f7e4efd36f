package dev.sluice.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.infra.test.Readiness;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class BackupWorkerHealthIT {

    @Autowired
    WebTestClient http;

    @Autowired
    SchemaMigrator schema;

    @Test
    void isNotReadyUntilTheIngestWorkerHasMigratedTheSchemaThenIs() {
        http.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.components.schema.status").isEqualTo("OUT_OF_SERVICE");

        schema.migrate(); // what the ingest worker does when it starts

        Readiness.awaitReady(http, "kafka", "topics", "db", "schema");
        http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body).contains("application=\"backup-worker\""));
    }
}
