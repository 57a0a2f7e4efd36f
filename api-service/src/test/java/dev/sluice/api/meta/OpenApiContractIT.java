package dev.sluice.api.meta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.api.StoredRows;
import dev.sluice.core.json.Json;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.ContractSchemas;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * docs/openapi.yaml against the running API: the API serves it as it is in the checkout, and real exchanges, at
 * least one for every route and every status the document declares, each get a declared status, a body of the
 * declared schema, and a problem type the document lists with that status. Every problem type it lists is
 * provoked here, or by the named test that asserts it (what this test cannot do to a shared stack: stop Kafka or
 * PostgreSQL, fill the in-flight budget).
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.openapi-it",
        "sluice.topics.pages.max-message-size=64KB",
        "sluice.redis.key-prefix=openapi-it:",
        "sluice.api.write.max-request-size=256KB",
        "sluice.api.write.max-pages-per-batch=5",
        "sluice.api.edge.body-read-timeout=1s"})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenApiContractIT {

    static final JsonNode SPEC = ContractSchemas.openApi();
    static final ContractSchemas SCHEMAS = ContractSchemas.load();
    static final String PAGE = "{\"url\":\"https://openapi.example/%s\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"title\":\"Kestrels\","
            + "\"body\":\"<p>the kestrel hovers</p>\"}";

    /** What this test cannot provoke on the shared stack, and the test that asserts it (its source names the type). */
    static final Map<String, String> ELSEWHERE = Map.of(
            "kafka-unavailable", "write/KafkaOutageIT.java",
            "overloaded", "write/OverloadIT.java",
            "consistency-timeout", "read/ReadPathIT.java",
            "database-unavailable", "read/ReadBoundsIT.java",
            "read-overload", "read/cache/RedisGuardTest.java",
            "auth-unavailable", "auth/DatabaseOutageIT.java");
    /** Statuses of an operation only those tests provoke. */
    static final Map<String, List<String>> STATUSES_ELSEWHERE = Map.of(
            "POST /v1/pages 503", List.of("kafka-unavailable", "overloaded"),
            "GET /v1/pages/{id} 504", List.of("consistency-timeout"));

    static Connections connections;
    static String key;
    static String readOnlyKey;
    static String slowKey;
    static String storedId;

    @LocalServerPort
    int port;

    /** Kept across the test methods: the second checks the coverage of both. */
    static final Set<String> answered = new TreeSet<>();
    static final Set<String> problemTypes = new TreeSet<>();

    @BeforeAll
    static void keysAndAStoredPage() {
        connections = SharedStack.forTestClass(OpenApiContractIT.class);
        ApiFixtures.migrate(connections);
        key = ApiFixtures.createKey(connections);
        readOnlyKey = ApiFixtures.createKey(connections, 100_000, 100_000, "read");
        slowKey = ApiFixtures.createKey(connections, 1, 1);
        StoredRows rows = new StoredRows(connections.dataSource());
        storedId = rows.page("https://openapi.example/stored", "Kestrels", "<p>the kestrel hovers over meadows</p>",
                Instant.parse("2026-11-20T10:00:00Z"), 3);
        rows.indexed(storedId, "the kestrel hovers over meadows");
    }

    @Test
    @Order(1)
    void theApiServesTheDescriptionInTheCheckout() throws Exception {
        RawHttp.Answer spec = exchange("GET", "/v1/openapi.yaml", Map.of(), null, 200);
        assertThat(spec.header("content-type")).isEqualTo("application/yaml");
        assertThat(spec.body()).isEqualTo(Files.readAllBytes(ContractSchemas.folder().resolveSibling("openapi.yaml")));
        RawHttp.Answer schema = exchange("GET", "/v1/schemas/page.schema.json", Map.of(), null, 200);
        assertThat(schema.body()).isEqualTo(Files.readAllBytes(ContractSchemas.folder().resolve("page.schema.json")));
        exchange("GET", "/v1/schemas/nothing.schema.json", Map.of(), null, 404);
        assertThat(SPEC.path("openapi").asString()).isEqualTo("3.1.0");
    }

    @Test
    @Order(2)
    void everyRouteStatusAndProblemTypeOfTheDescriptionIsWhatTheApiAnswers() throws Exception {
        Map<String, String> auth = Map.of("Authorization", "Bearer " + key);
        String id = "0123456789abcdef0123456789abcdef";

        // writes
        exchange("POST", "/v1/pages", json(auth), page("one"), 202);
        exchange("POST", "/v1/pages", json(auth), "{\"url\":\"ftp://x\"}".getBytes(StandardCharsets.UTF_8), 400);
        exchange("POST", "/v1/pages", json(auth), "not json".getBytes(StandardCharsets.UTF_8), 400);
        exchange("POST", "/v1/pages", with(json(auth), "Content-Type", "application/json; charset=bogus"), page("x"), 400);
        exchange("POST", "/v1;x/pages", json(auth), page("x"), 400);
        exchange("POST", "/v1/pages", json(Map.of()), page("x"), 401);
        exchange("POST", "/v1/pages", json(Map.of("Authorization", "Bearer " + readOnlyKey)), page("x"), 403);
        exchange("POST", "/v1/pages", json(auth), ("{\"url\":\"https://openapi.example/big\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"body\":\""
                + "x".repeat(300 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8), 413);
        exchange("POST", "/v1/pages", json(auth), ("{\"url\":\"https://openapi.example/large\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"body\":\""
                + "x".repeat(100 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8), 413);
        exchange("POST", "/v1/pages", with(auth, "Content-Type", "text/plain"), page("x"), 415);
        exchange("POST", "/v1/pages", with(json(auth), "Content-Encoding", "br"), page("x"), 415);
        Map<String, String> slow = json(Map.of("Authorization", "Bearer " + slowKey));
        exchange("POST", "/v1/pages/batch", with(slow, "Content-Type", "application/x-ndjson"), ndjson(3), 413); // more than its burst
        exchange("POST", "/v1/pages", slow, page("slow-1"), 202);
        exchange("POST", "/v1/pages", slow, page("slow-2"), 429);
        exchange("POST", "/v1/pages", with(json(auth), "X-Filler", "f".repeat(16 * 1024)), page("x"), 431);
        RawHttp.Answer timeout = new RawHttp(port, Duration.ofSeconds(10)).send("POST", "/v1/pages",
                with(json(auth), "Content-Length", "1000"), out -> out.write("{\"url\":".getBytes(StandardCharsets.UTF_8)));
        record("POST", "/v1/pages", timeout, 408);

        exchange("POST", "/v1/pages/batch", json(auth), ("[" + String.format(PAGE, "b1") + "," + String.format(PAGE, "b2") + "]")
                .getBytes(StandardCharsets.UTF_8), 202);
        exchange("POST", "/v1/pages/batch", json(auth), "[{\"url\":\"https://openapi.example/ok\"}]".getBytes(StandardCharsets.UTF_8), 400);
        exchange("POST", "/v1/pages/batch", with(json(auth), "Content-Encoding", "gzip"), "not gzip".getBytes(StandardCharsets.UTF_8), 400);
        exchange("POST", "/v1/pages/batch", with(auth, "Content-Type", "application/x-ndjson"), ndjson(6), 413);
        exchange("POST", "/v1/pages/batch", with(json(auth), "Content-Encoding", "gzip"), gzip(("[" + String.format(PAGE, "g") + "]")
                .getBytes(StandardCharsets.UTF_8)), 202);
        exchange("POST", "/v1/pages/batch", with(auth, "Content-Type", "text/csv"), "url".getBytes(StandardCharsets.UTF_8), 415);

        exchange("DELETE", "/v1/pages/" + id, auth, null, 202);
        exchange("DELETE", "/v1/pages/NOT-AN-ID", auth, null, 400);

        // reads
        RawHttp.Answer stored = exchange("GET", "/v1/pages/" + storedId, auth, null, 200);
        exchange("GET", "/v1/pages/" + storedId, with(auth, "If-None-Match", stored.header("etag")), null, 304);
        exchange("GET", "/v1/pages/" + id.replace('0', 'f'), auth, null, 404);
        exchange("GET", "/v1/pages/" + storedId, with(auth, "Consistency-Token", "garbage"), null, 400);
        exchange("GET", "/v1/pages/" + storedId, with(auth, "X-Filler", "f".repeat(16 * 1024)), null, 431);
        exchange("GET", "/v1/pages?url=https://openapi.example/stored", auth, null, 200);
        exchange("GET", "/v1/pages", auth, null, 400);
        exchange("GET", "/v1/pages?url=ftp://openapi.example/", auth, null, 400);
        exchange("GET", "/v1/pages?url=https://openapi.example/never", auth, null, 404);
        exchange("GET", "/v1/sites/openapi.example/pages?limit=1", auth, null, 200);
        exchange("GET", "/v1/sites/openapi.example/pages?limit=0", auth, null, 400);
        exchange("GET", "/v1/sites/openapi.example/pages?cursor=forged", auth, null, 400);
        exchange("GET", "/v1/sites/openapi.example/pages?cursor=%%%", auth, null, 400);
        exchange("GET", "/v1/sites/bad~site/pages", auth, null, 400);
        exchange("GET", "/v1/changes?limit=2", auth, null, 200);
        exchange("GET", "/v1/changes?site=openapi.example", auth, null, 200);
        exchange("GET", "/v1/changes?cursor=forged", auth, null, 400);
        exchange("GET", "/v1/changes?limit=0", auth, null, 400);
        exchange("GET", "/v1/sites/openapi.example/stats", auth, null, 200);
        exchange("GET", "/v1/sites/nobody.example/stats", auth, null, 404);
        exchange("GET", "/v1/pages/" + storedId + "/near-duplicates", auth, null, 200);
        exchange("GET", "/v1/pages/NOT-AN-ID/near-duplicates", auth, null, 400);
        exchange("GET", "/v1/pages/" + id.replace('0', 'f') + "/near-duplicates", auth, null, 404);
        exchange("GET", "/v1/search?q=kestrel", auth, null, 200);
        exchange("GET", "/v1/search", auth, null, 400);
        exchange("GET", "/v1/search?q=" + String.join("+", java.util.stream.IntStream.range(0, 20).mapToObj(i -> "w" + i).toList()), auth, null, 400);
        exchange("GET", "/v1/search?q=" + "w".repeat(600), auth, null, 400);
        exchange("GET", "/v1/search?q=a%00b", auth, null, 400);
        exchange("GET", "/v1/search?q=" + "w".repeat(8 * 1024), auth, null, 414);
        RawHttp.Answer malformed = new RawHttp(port, Duration.ofSeconds(10)).exchange(
                "GET /v1/search?q=kestrel HTTP/1.1\r\nHost: localhost\r\nNo colon here\r\n\r\n".getBytes(StandardCharsets.US_ASCII), RawHttp.Body.none());
        record("GET", "/v1/search", malformed, 400);

        // nothing declared is left unanswered, nothing answered is undeclared
        Set<String> declared = new TreeSet<>();
        SPEC.path("paths").properties().forEach(path -> path.getValue().properties().forEach(operation -> {
            if (!operation.getKey().equals("parameters")) {
                operation.getValue().path("responses").properties().forEach(status ->
                        declared.add(operation.getKey().toUpperCase() + " " + path.getKey() + " " + status.getKey()));
            }
        }));
        Set<String> unanswered = new TreeSet<>(declared);
        unanswered.removeAll(answered);
        unanswered.removeAll(STATUSES_ELSEWHERE.keySet());
        assertThat(unanswered).as("declared statuses no exchange got").isEmpty();

        Set<String> listed = new TreeSet<>();
        SPEC.path("x-problem-types").properties().forEach(type -> listed.add(type.getKey()));
        Set<String> unprovoked = new TreeSet<>(listed);
        unprovoked.removeAll(problemTypes);
        for (String type : unprovoked) {
            assertThat(ELSEWHERE).as("problem type %s: provoked neither here nor by a named test", type).containsKey(type);
            Path test = Path.of("src/test/java/dev/sluice/api").resolve(ELSEWHERE.get(type));
            assertThat(Files.readString(test)).as("%s asserts %s", test, type).contains(type);
        }
        for (List<String> types : STATUSES_ELSEWHERE.values()) {
            assertThat(ELSEWHERE.keySet()).containsAll(types);
        }
    }

    // -- exchanges, each checked against the description

    RawHttp.Answer exchange(String method, String target, Map<String, String> headers, byte[] body, int expected) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        if (body != null) {
            all.put("Content-Length", Integer.toString(body.length));
        }
        RawHttp.Answer answer = new RawHttp(port, Duration.ofSeconds(10)).send(method, target, all,
                body == null ? RawHttp.Body.none() : RawHttp.Body.of(body));
        String path = target.contains("?") ? target.substring(0, target.indexOf('?')) : target;
        record(method, path, answer, expected);
        return answer;
    }

    void record(String method, String path, RawHttp.Answer answer, int expected) {
        String what = method + " " + path + ": " + answer;
        assertThat(answer.status()).as(what).isEqualTo(expected);
        String template = template(path.replace(";x", ""));
        JsonNode operation = SPEC.path("paths").path(template).path(method.toLowerCase());
        assertThat(operation.isObject()).as("%s %s is in the description", method, template).isTrue();
        JsonNode response = operation.path("responses").path(Integer.toString(expected));
        assertThat(response.isObject()).as("%s declares %d", template, expected).isTrue();
        answered.add(method + " " + template + " " + expected);
        if (response.has("$ref")) {
            response = SPEC.at(response.path("$ref").asString().substring(1));
        }
        String contentType = answer.header("content-type");
        if (answer.body().length == 0 || contentType == null) {
            assertThat(response.has("content")).as("%s: a declared body", what).isFalse();
            return;
        }
        String mediaType = contentType.split(";")[0].trim();
        JsonNode declared = response.path("content").path(mediaType);
        assertThat(declared.isObject()).as("%s: %s is declared", what, mediaType).isTrue();
        if (mediaType.endsWith("json")) {
            JsonNode body = Json.mapper().readTree(answer.body());
            String pointer = declared.path("schema").has("$ref") ? declared.path("schema").path("$ref").asString().substring(1)
                    : pointer(template, method, expected, mediaType);
            assertThat(SCHEMAS.openApiViolations(pointer, body)).as(what).isEmpty();
            if (mediaType.equals("application/problem+json")) {
                String type = body.path("type").asString().replace("urn:sluice:problem:", "");
                assertThat(SPEC.path("x-problem-types").path(type).asInt()).as("%s: problem type %s listed with status %d", what, type, expected)
                        .isEqualTo(expected);
                problemTypes.add(type);
            }
        }
    }

    static String pointer(String template, String method, int status, String mediaType) {
        return "/paths/" + template.replace("~", "~0").replace("/", "~1") + "/" + method.toLowerCase() + "/responses/" + status + "/content/"
                + mediaType.replace("/", "~1") + "/schema";
    }

    /** The description's path of a concrete path. */
    static String template(String path) {
        List<String> templates = new ArrayList<>();
        SPEC.path("paths").properties().forEach(entry -> templates.add(entry.getKey()));
        for (String template : templates) {
            if (Pattern.compile("^" + template.replaceAll("\\{[^}]+}", "[^/]+") + "$").matcher(path).matches()) {
                return template;
            }
        }
        return path;
    }

    static Map<String, String> json(Map<String, String> headers) {
        return with(headers, "Content-Type", "application/json");
    }

    static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new HashMap<>(headers);
        all.put(name, value);
        return all;
    }

    static byte[] page(String path) {
        return String.format(PAGE, path).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] ndjson(int pages) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < pages; i++) {
            lines.append(String.format(PAGE, "n" + i)).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }
}
