package dev.sluice.api.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.api.StoredRows;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Reads are bounded too: what one read may cost PostgreSQL (the server stops it, not only the client), how many reads
 * a client may make, how large a search may be, and how often a site's statistics are counted.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.read-bounds-it",
        "sluice.redis.key-prefix=read-bounds-it:",
        "sluice.api.database.query-timeout=1s",
        "sluice.api.read.stats-fallback-ttl=1h",
        "sluice.api.read-limit.anonymous-rate=1",
        "sluice.api.read-limit.anonymous-burst=5",
        "sluice.api.read-limit.key-rate=1",
        "sluice.api.read-limit.key-burst=8"})
class ReadBoundsIT {

    static Connections connections;
    static StoredRows rows;
    static String key;

    @LocalServerPort
    int port;

    @BeforeAll
    static void pages() {
        connections = SharedStack.forTestClass(ReadBoundsIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
        key = ApiFixtures.createKey(connections);
        rows.page("https://slow-stats.example/a", "A", "<p>a</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
        rows.page("https://cached-stats.example/a", "A", "<p>a</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
    }

    /** Reads with a fresh key each time, so the read limits of the other tests do not get in the way. */
    RawHttp.Answer get(String path) {
        return new RawHttp(port, Duration.ofSeconds(10)).send("GET", path, Map.of("Authorization", "Bearer " + ApiFixtures.createKey(connections)));
    }

    @Test
    void postgresqlItselfStopsAReadTheApiGaveUpOn() throws Exception {
        try (Connection locker = connections.dataSource().getConnection(); Statement sql = locker.createStatement()) {
            locker.setAutoCommit(false);
            sql.execute("LOCK TABLE pages IN ACCESS EXCLUSIVE MODE"); // every read of pages now waits

            RawHttp.Answer answer = get("/v1/sites/slow-stats.example/stats"); // the fallback count, stats not in Redis
            assertThat(answer.status()).as(answer.toString()).isEqualTo(503);
            assertThat(answer.text()).contains("urn:sluice:problem:database-unavailable");

            await().alias("no backend of the API still waits on the lock").atMost(Duration.ofSeconds(3))
                    .until(() -> waitingOnLocks(sql) == 0);
            locker.rollback();
        }
    }

    private static long waitingOnLocks(Statement sql) throws Exception {
        try (ResultSet waiting = sql.executeQuery("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()""")) {
            waiting.next();
            return waiting.getLong(1);
        }
    }

    @Test
    void aSitesStatisticsCountedFromPostgresqlAreReusedNotCountedPerRequest() throws Exception {
        RawHttp.Answer first = get("/v1/sites/cached-stats.example/stats");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.text()).contains("\"source\":\"database\"");
        try (Connection locker = connections.dataSource().getConnection(); Statement sql = locker.createStatement()) {
            locker.setAutoCommit(false);
            sql.execute("LOCK TABLE pages IN ACCESS EXCLUSIVE MODE");
            for (int i = 0; i < 5; i++) {
                RawHttp.Answer again = get("/v1/sites/cached-stats.example/stats");
                assertThat(again.status()).as("answered without PostgreSQL").isEqualTo(200);
                assertThat(again.text()).isEqualTo(first.text());
            }
            locker.rollback();
        }
    }

    @Test
    void readsWithoutAKeyAreLimitedPerClientAddressWithTheHeadersOfWrites() {
        RawHttp http = new RawHttp(port, Duration.ofSeconds(10));
        String path = "/v1/pages/0123456789abcdef0123456789abcdef";
        RawHttp.Answer answer = null;
        int answered = 0;
        for (int i = 0; i < 20; i++) {
            answer = http.send("GET", path, Map.of());
            if (answer.status() == 429) {
                break;
            }
            answered++;
            assertThat(answer.status()).isEqualTo(404);
            assertThat(answer.header("ratelimit-limit")).isEqualTo("5");
            assertThat(answer.header("ratelimit-remaining")).isNotNull();
        }
        assertThat(answered).as("the burst, and what refilled meanwhile").isBetween(5, 7);
        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.text()).contains("urn:sluice:problem:rate-limited");
        assertThat(answer.header("retry-after")).isEqualTo("1");
        assertThat(answer.header("ratelimit-remaining")).isEqualTo("0");

        RawHttp.Answer withKey = http.send("GET", path, Map.of("Authorization", "Bearer " + key));
        assertThat(withKey.status()).as("a key has its own bucket").isEqualTo(404);
        assertThat(withKey.header("ratelimit-limit")).isEqualTo("8");
    }

    @Test
    void aSearchOfTooManyWordsIsRefusedByName() {
        String many = String.join(" or ", java.util.Collections.nCopies(20, "kestrel"));
        RawHttp.Answer answer = get("/v1/search?q=" + many.replace(" ", "+"));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.text()).contains("urn:sluice:problem:query-too-complex").contains("20 words");
        assertThat(get("/v1/search?q=kestrel+or+falcon+-owl").status()).isEqualTo(200);
    }

    @Test
    void aSearchWithANulCharacterIsRefusedByNameNotADatabaseError() {
        RawHttp.Answer answer = get("/v1/search?q=kestrel%00");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.text()).contains("urn:sluice:problem:invalid-query");
    }
}
