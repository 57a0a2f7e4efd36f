package dev.sluice.api.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.RawHttp;
import dev.sluice.infra.stack.PostgresNode;
import dev.sluice.infra.stack.StackOptions;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * PostgreSQL stopped under the API (its own PostgreSQL, not the shared one): a key the API has seen keeps writing,
 * long past the auth cache's TTL, since a write needs only Kafka. A key it has never seen cannot be checked: 503.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.database-outage-it",
        "sluice.redis.key-prefix=database-outage-it:",
        "sluice.api.auth.cache-ttl=1s"})
class DatabaseOutageIT {

    static PostgresNode postgres;
    static String key;
    static String unseenKey;

    @DynamicPropertySource
    static void ownPostgres(DynamicPropertyRegistry registry) throws Exception {
        postgres = PostgresNode.start(Files.createTempDirectory("sluice-pg-outage"), StackOptions.defaultBinariesCache(), 0, false);
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:" + postgres.url("postgres"));
        dataSource.setUser(PostgresNode.USER);
        new SchemaMigrator(dataSource).migrate();
        try (Connection db = DriverManager.getConnection("jdbc:" + postgres.url("postgres"), PostgresNode.USER, "")) {
            key = ApiKeyRecords.create(db, "outage-crawler", 100_000, 100_000, List.of("read", "write"));
            unseenKey = ApiKeyRecords.create(db, "outage-unseen", 100_000, 100_000, List.of("read", "write"));
        }
        registry.add("sluice.pg.url", () -> postgres.url("postgres"));
        registry.add("sluice.pg.user", () -> PostgresNode.USER);
    }

    @AfterAll
    static void stopPostgres() {
        postgres.close();
    }

    @LocalServerPort
    int port;

    RawHttp.Answer write(String key, int n) {
        byte[] page = ("{\"url\":\"https://outage.example/" + n + "\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}").getBytes(StandardCharsets.UTF_8);
        return new RawHttp(port, Duration.ofSeconds(10)).send("POST", "/v1/pages", Map.of("Authorization", "Bearer " + key,
                "Content-Type", "application/json", "Content-Length", Integer.toString(page.length)), RawHttp.Body.of(page));
    }

    @Test
    void aKnownKeyKeepsWritingWhilePostgresIsDown() {
        assertThat(write(key, 0).status()).isEqualTo(202);

        postgres.close();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos(); // writes for five TTLs of the auth cache
        int n = 1;
        while (System.nanoTime() < until) {
            RawHttp.Answer answer = write(key, n++);
            assertThat(answer.status()).as("write %d with PostgreSQL down: %s", n, answer).isEqualTo(202);
        }
        RawHttp.Answer unseen = write(unseenKey, 99);
        assertThat(unseen.status()).as(unseen.toString()).isEqualTo(503);
        assertThat(unseen.text()).contains("urn:sluice:problem:auth-unavailable");
    }
}
