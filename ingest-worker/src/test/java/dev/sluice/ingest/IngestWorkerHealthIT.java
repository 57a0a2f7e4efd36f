package dev.sluice.ingest;

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
class IngestWorkerHealthIT {

    @Autowired
    WebTestClient http;

    @Autowired
    SchemaMigrator schema;

    @Test
    void migratesTheSchemaAtStartAndBecomesReady() {
        assertThat(schema.isUpToDate()).isTrue();
        assertThat(schema.currentVersion()).isEqualTo(SchemaMigrator.LATEST_VERSION);

        Readiness.awaitReady(http, "kafka", "topics", "db", "schema", "redis");
    }

    @Test
    void exposesPrometheusMetrics() {
        http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body).contains("application=\"ingest-worker\""));
    }
}
