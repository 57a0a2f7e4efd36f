package dev.sluice.api;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.Readiness;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.test.web.reactive.server.WebTestClient;

@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ApiServiceHealthIT {

    /** Health and metrics are on the management port (the public port serves /v1/** only). */
    @LocalManagementPort
    int managementPort;

    WebTestClient management() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();
    }

    @BeforeAll
    static void schemaIsMigratedByTheIngestWorker() {
        Connections connections = SharedStack.forTestClass(ApiServiceHealthIT.class);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(connections.jdbcUrl());
        dataSource.setUser(connections.postgresUser());
        new SchemaMigrator(dataSource).migrate();
    }

    @Test
    void becomesReadyWhenKafkaItsTopicsPostgresqlAndRedisAnswer() {
        Readiness.awaitReady(management(), "kafka", "topics", "postgres", "redis");
    }

    @Test
    void exposesPrometheusMetricsAndNothingElseOfTheActuator() {
        WebTestClient http = management();
        http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class)
                .value(body -> org.assertj.core.api.Assertions.assertThat(body)
                        .contains("jvm_memory_used_bytes")
                        .contains("application=\"api-service\""));
        http.get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
    }
}
