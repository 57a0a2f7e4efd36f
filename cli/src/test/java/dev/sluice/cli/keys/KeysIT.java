package dev.sluice.cli.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.ApiProcess;
import dev.sluice.cli.CliRun;
import dev.sluice.core.json.Json;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code sluice keys}: a key it creates works against the real API process, is stored hashed, never logged, and revoked stops working. */
@SharedStackTest
class KeysIT {

    static Connections connections;
    static ServiceProcess api;
    static final ByteArrayOutputStream apiLog = new ByteArrayOutputStream();
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void api() {
        connections = SharedStack.forTestClass(KeysIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        api = ApiProcess.start(connections, "pages.keys-it", new PrintStream(apiLog, true, StandardCharsets.UTF_8),
                // the key must not reach even the debug log; a revoked key is looked up again after 1 s
                Map.of("LOGGING_LEVEL_DEV_SLUICE", "DEBUG", "SLUICE_API_AUTH_CACHETTL", "1s"));
    }

    @AfterAll
    static void stopApi() {
        if (api != null) {
            api.kill();
        }
    }

    private static CliRun keys(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "keys";
        System.arraycopy(args, 0, command, 1, args.length);
        return CliRun.of(connections, command);
    }

    private static int write(String key) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + api.port() + "/v1/pages"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://keys.example/\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}"))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aCreatedKeyWorksIsStoredOnlyHashedNeverLoggedAndStopsWorkingOnceRevoked() throws Exception {
        CliRun created = keys("create", "--name", "crawler-eu", "--rate", "50", "--burst", "100");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        String key = created.out().strip();
        assertThat(key).matches("slk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}");
        assertThat(created.err()).contains("Store it now");

        assertThat(write(key)).isEqualTo(202);
        assertThat(write(key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A"))).as("wrong secret").isEqualTo(401);

        try (Connection db = connections.dataSource().getConnection();
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT api_keys::text FROM api_keys")) {
            while (rows.next()) {
                assertThat(rows.getString(1)).doesNotContain(key).doesNotContain(key.substring(13));
            }
        }
        CliRun list = keys("list");
        assertThat(list.out()).contains("crawler-eu").contains("50").contains("100").doesNotContain(key.substring(13));
        assertThat(keys("create", "--name", "crawler-eu").exitCode()).as("names are unique").isEqualTo(1);

        assertThat(keys("revoke", "crawler-eu").exitCode()).isZero();
        Awaitility.await().alias("revocation reaches the API within its cache TTL").atMost(Duration.ofSeconds(10))
                .until(() -> write(key) == 401);
        assertThat(keys("list").out()).containsPattern("crawler-eu .* \\d{4}-\\d\\d-\\d\\dT");
        assertThat(keys("list", "--json").out().lines().map(line -> Json.mapper().readTree(line)).toList())
                .as("one JSON object per key, for scripts").anySatisfy(listed -> {
                    assertThat(listed.path("name").asString()).isEqualTo("crawler-eu");
                    assertThat(listed.path("rate_per_second").asInt()).isEqualTo(50);
                    assertThat(listed.path("scopes").toString()).contains("write");
                    assertThat(listed.path("revoked_at").isString()).isTrue();
                    assertThat(listed.toString()).doesNotContain(key.substring(13));
                });

        assertThat(apiLog.toString(StandardCharsets.UTF_8)).as("the API logged something, and never the key")
                .contains("Started").doesNotContain(key).doesNotContain(key.substring(13));
    }

    @Test
    void helpIsAccurate() {
        assertThat(keys("--help").out()).contains("create", "list", "revoke");
        assertThat(keys("create", "--help").out()).contains("--name", "--rate", "--burst", "--scopes");
    }
}
