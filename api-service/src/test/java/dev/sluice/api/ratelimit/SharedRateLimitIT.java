package dev.sluice.api.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.ApiServiceApplication;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A key's rate limit holds across every API instance: two instances on one Redis share one bucket. */
@SharedStackTest
class SharedRateLimitIT {

    static final List<ConfigurableApplicationContext> instances = new ArrayList<>();
    static Connections connections;

    @BeforeAll
    static void twoApiInstancesOnOneRedis() {
        connections = SharedStack.forTestClass(SharedRateLimitIT.class);
        ApiFixtures.migrate(connections);
        for (int i = 0; i < 2; i++) {
            // As command-line arguments: they outrank application.yml, as they would for a real second instance.
            instances.add(new SpringApplicationBuilder(ApiServiceApplication.class).run(
                    "--server.port=0",
                    "--management.server.port=0",
                    "--sluice.kafka.bootstrap=" + connections.kafkaBootstrap(),
                    "--sluice.pg.url=" + connections.postgresUrl(),
                    "--sluice.pg.user=" + connections.postgresUser(),
                    "--sluice.redis.url=" + connections.redisUrl(),
                    "--sluice.topics.pages.name=pages.ratelimit-it"));
        }
    }

    @AfterAll
    static void stop() {
        instances.forEach(ConfigurableApplicationContext::close);
    }

    static WebTestClient client(int instance) {
        int port = ((WebServerApplicationContext) instances.get(instance)).getWebServer().getPort();
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    static int write(int instance, String key, int n) {
        return client(instance).post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"url\":\"https://shared-limit.example/" + n + "\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}")
                .exchange().returnResult(String.class).getStatus().value();
    }

    @Test
    void bothInstancesDrawFromTheSameBucket() {
        String key = ApiFixtures.createKey(connections, 1, 4); // 4 at once, then 1 per second

        List<Integer> statuses = List.of(write(0, key, 1), write(1, key, 2), write(0, key, 3), write(1, key, 4),
                write(0, key, 5), write(1, key, 6));

        assertThat(statuses).as("4 pages of burst across both instances, then 429 on each")
                .containsExactly(202, 202, 202, 202, 429, 429);
    }
}
