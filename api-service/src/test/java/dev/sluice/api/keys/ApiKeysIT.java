package dev.sluice.api.keys;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.core.json.Json;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import picocli.CommandLine;

@SharedStackTest
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.keys-it", "logging.level.dev.sluice=DEBUG"})
@AutoConfigureWebTestClient
class ApiKeysIT {

    @Autowired
    WebTestClient http;

    private final Connections connections = connections();

    private static Connections connections() {
        Connections connections = SharedStack.forTestClass(ApiKeysIT.class);
        ApiFixtures.migrate(connections);
        return connections;
    }

    private record Run(int exit, String out, String err) {}

    private Run keys(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = new CommandLine(new ApiKeysCommand(Map.of(
                "SLUICE_PG_URL", connections.postgresUrl(), "SLUICE_PG_USER", connections.postgresUser())));
        line.setOut(new PrintWriter(out));
        line.setErr(new PrintWriter(err));
        return new Run(line.execute(args), out.toString(), err.toString());
    }

    private int write(String key) {
        return http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + key)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"url\":\"https://keys.example/\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}")
                .exchange().returnResult(String.class).getStatus().value();
    }

    @Test
    void aCreatedKeyWorksIsStoredOnlyHashedNeverLoggedAndStopsWorkingOnceRevoked(CapturedOutput output) throws Exception {
        Run created = keys("create", "--name", "crawler-eu", "--rate", "50", "--burst", "100");
        assertThat(created.exit()).isZero();
        String key = created.out().strip();
        assertThat(key).matches("slk_[0-9A-Za-z]{8}_[0-9A-Za-z]{32}");
        assertThat(created.err()).contains("Store it now");

        assertThat(write(key)).isEqualTo(202);
        assertThat(write(key.substring(0, key.length() - 1) + (key.endsWith("A") ? "B" : "A"))).as("wrong secret").isEqualTo(401);

        try (Connection db = DriverManager.getConnection(connections.jdbcUrl(), connections.postgresUser(), connections.postgresPassword());
                Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT api_keys::text FROM api_keys")) {
            while (rows.next()) {
                assertThat(rows.getString(1)).doesNotContain(key).doesNotContain(key.substring(13));
            }
        }
        Run list = keys("list");
        assertThat(list.out()).contains("crawler-eu").contains("50").contains("100").doesNotContain(key.substring(13));
        assertThat(keys("create", "--name", "crawler-eu").exit()).as("names are unique").isEqualTo(1);

        assertThat(keys("revoke", "crawler-eu").exit()).isZero();
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

        assertThat(output.getAll()).as("the key never reaches the logs").doesNotContain(key).doesNotContain(key.substring(13));
    }

    @Test
    void helpIsAccurate() {
        Run help = keys("--help");
        assertThat(help.out()).contains("create", "list", "revoke");
        Run createHelp = keys("create", "--help");
        assertThat(createHelp.out()).contains("--name", "--rate", "--burst", "--scopes");
    }
}
