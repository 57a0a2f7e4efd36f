package dev.sluice.api.read;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.api.read.cache.RedisGuard;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.RedisNode;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Redis stopped under the API (its own Redis, not the shared one): every read is still answered, from PostgreSQL. */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.redis.key-prefix=redis-outage-it:",
        "sluice.api.read.breaker.open-for=1h"})
@AutoConfigureWebTestClient
class RedisOutageIT {

    static RedisNode redis;
    static StoredRows rows;

    @DynamicPropertySource
    static void ownRedis(DynamicPropertyRegistry registry) throws Exception {
        redis = RedisNode.start(Files.createTempDirectory("sluice-redis-outage"), 0, false);
        registry.add("sluice.redis.url", redis::url);
    }

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(RedisOutageIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Autowired
    WebTestClient http;

    @Autowired
    RedisGuard guard;

    @Autowired
    MeterRegistry meters;

    @Test
    void withRedisStoppedReadsAreAnsweredFromPostgresAndTheBreakerOpens() {
        Instant at = Instant.parse("2026-11-20T10:00:00Z");
        String id = rows.page("https://outage.example/a", "A", "<p>a</p>", at, 1);
        rows.indexed(id, "lighthouse on the cliff");
        http.get().uri("/v1/pages/{id}", id).exchange().expectStatus().isOk(); // cached while Redis is up

        redis.close();
        rows.update("UPDATE pages SET title = 'A2', version = 2 WHERE id = ?", id);

        for (int i = 0; i < 30; i++) {
            http.get().uri("/v1/pages/{id}", id).exchange()
                    .expectStatus().isOk()
                    .expectBody().jsonPath("$.title").isEqualTo("A2");
        }
        http.get().uri("/v1/pages/{id}", "0123456789abcdef0123456789abcdef").exchange().expectStatus().isNotFound();
        http.get().uri("/v1/sites/outage.example/pages").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items[0].id").isEqualTo(id);
        http.get().uri("/v1/search?q=lighthouse").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.items[0].id").isEqualTo(id);
        http.get().uri("/v1/sites/outage.example/stats").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.pages").isEqualTo(1);

        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(meters.find("sluice.api.read.degraded").tag("kind", "page").counters()).anySatisfy(degraded -> assertThat(degraded.count()).isPositive());
        assertThat(meters.find("sluice.api.read.latency").tag("source", "degraded").timer()).isNotNull();
    }
}
