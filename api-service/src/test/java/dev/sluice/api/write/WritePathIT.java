package dev.sluice.api.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.Op;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.token.ConsistencyToken;
import dev.sluice.core.token.TokenSigner;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.write-it",
        "sluice.api.write.max-request-size=2MB",
        "sluice.api.write.max-pages-per-batch=50"})
@AutoConfigureWebTestClient
class WritePathIT {

    static final String TOPIC = "pages.write-it";
    static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;
    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    static Connections connections;
    static String key;

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    @BeforeAll
    static void schemaAndKey() {
        connections = SharedStack.forTestClass(WritePathIT.class);
        ApiFixtures.migrate(connections);
        key = ApiFixtures.createKey(connections);
    }

    static String page(String url) {
        return "{\"url\":\"" + url + "\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"status\":200,\"title\":\"T\","
                + "\"content_type\":\"text/html\",\"body\":\"<p>hello</p>\",\"metadata\":{\"crawler\":\"c-17\"}}";
    }

    static List<ConsumerRecord<String, byte[]>> recordsOf(String id) {
        return TopicRecords.readAll(SharedStack.connections().kafkaBootstrap(), TOPIC).stream()
                .filter(r -> r.key().equals(id)).toList();
    }

    WebTestClient.RequestBodySpec post(String path, MediaType type) {
        return http.post().uri(path).header(HttpHeaders.AUTHORIZATION, "Bearer " + key).contentType(type);
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Nested
    class Accepted {

        @Test
        void onePageIsInKafkaBeforeThe202AndTheTokenNamesItsPosition() {
            JsonNode answer = post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue(page("https://Example.com/a?b=1#top"))
                    .exchange()
                    .expectStatus().isAccepted()
                    .expectBody(JsonNode.class).returnResult().getResponseBody();

            String id = answer.get("id").asString();
            assertThat(id).isEqualTo(PageUrl.parse("https://example.com/a?b=1").id());
            List<ConsumerRecord<String, byte[]>> records = recordsOf(id);
            assertThat(records).singleElement().satisfies(record -> {
                PageEnvelope envelope = new EnvelopeCodec().decode(record.value());
                assertThat(envelope.op()).isEqualTo(Op.UPSERT);
                assertThat(envelope.page().url().normalized()).isEqualTo("https://example.com/a?b=1");
                assertThat(envelope.page().metadata().get("crawler").asString()).isEqualTo("c-17");
                assertThat(envelope.client()).startsWith("test-");
                assertThat(envelope.acceptedAt()).isBefore(Instant.now().plusSeconds(1));
                ConsistencyToken token = ConsistencyToken.decode(answer.get("token").asString(),
                        new TokenSigner(List.of("test-secret-for-consistency-tokens-0123456789")), TOPIC);
                assertThat(token.offsets()).containsExactly(Map.entry(record.partition(), record.offset()));
            });
        }

        @Test
        void aJsonArrayBatchIsAcceptedWhole() {
            List<String> corpus = Corpus.pages().subList(0, 20);
            String batch = "[" + String.join(",", corpus) + "]";

            JsonNode answer = post("/v1/pages/batch", MediaType.APPLICATION_JSON).bodyValue(batch).exchange()
                    .expectStatus().isAccepted()
                    .expectBody(JsonNode.class).returnResult().getResponseBody();

            assertThat(answer.get("accepted").asInt()).isEqualTo(20);
            List<String> ids = answer.get("ids").valueStream().map(JsonNode::asString).toList();
            assertThat(ids).hasSize(20).allSatisfy(id -> assertThat(recordsOf(id)).hasSize(1));
            assertThat(ids.get(0)).isEqualTo(PageUrl.parse(Json.mapper().readTree(corpus.get(0)).get("url").asString()).id());
        }

        @Test
        void anNdjsonBatchIsAccepted() {
            String ndjson = page("https://ndjson.example/1") + "\n\n" + page("https://ndjson.example/2") + "\n";

            post("/v1/pages/batch", NDJSON).bodyValue(ndjson).exchange()
                    .expectStatus().isAccepted()
                    .expectBody().jsonPath("$.accepted").isEqualTo(2);

            assertThat(recordsOf(PageUrl.parse("https://ndjson.example/2").id())).hasSize(1);
        }

        @Test
        void gzipBodiesAreDecodedForOnePageAndForBatches() {
            String url = "https://gzip.example/one";
            post("/v1/pages", MediaType.APPLICATION_JSON).header(HttpHeaders.CONTENT_ENCODING, "gzip")
                    .bodyValue(gzip(page(url))).exchange()
                    .expectStatus().isAccepted()
                    .expectBody().jsonPath("$.id").isEqualTo(PageUrl.parse(url).id());

            String big = String.join("\n", Corpus.pages().subList(100, 140));
            post("/v1/pages/batch", NDJSON).header(HttpHeaders.CONTENT_ENCODING, "gzip")
                    .bodyValue(gzip(big)).exchange()
                    .expectStatus().isAccepted()
                    .expectBody().jsonPath("$.accepted").isEqualTo(40);
        }

        @Test
        void concatenatedGzipMembersAreOneBody() {
            byte[] first = gzip("[" + page("https://gzip.example/m1") + ",");
            byte[] second = gzip(page("https://gzip.example/m2") + "]");
            byte[] both = Arrays.copyOf(first, first.length + second.length);
            System.arraycopy(second, 0, both, first.length, second.length);

            post("/v1/pages/batch", MediaType.APPLICATION_JSON).header(HttpHeaders.CONTENT_ENCODING, "gzip")
                    .bodyValue(both).exchange()
                    .expectStatus().isAccepted()
                    .expectBody().jsonPath("$.accepted").isEqualTo(2);
        }

        @Test
        void aByteOrderMarkIsDroppedSoTheEnvelopeStaysJsonAndUtf16IsRefused() {
            byte[] json = page("https://bom.example/1").getBytes(StandardCharsets.UTF_8);
            byte[] withMark = new byte[json.length + 3];
            withMark[0] = (byte) 0xEF;
            withMark[1] = (byte) 0xBB;
            withMark[2] = (byte) 0xBF;
            System.arraycopy(json, 0, withMark, 3, json.length);
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue(withMark).exchange().expectStatus().isAccepted();
            post("/v1/pages/batch", NDJSON).bodyValue(withMark).exchange().expectStatus().isAccepted();
            assertThat(recordsOf(PageUrl.parse("https://bom.example/1").id())).hasSize(2).allSatisfy(record ->
                    assertThat(new EnvelopeCodec().decode(record.value()).page().title()).isEqualTo("T"));

            byte[] utf16 = page("https://bom.example/16").getBytes(StandardCharsets.UTF_16LE);
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue(utf16).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("not UTF-8"));
            post("/v1/pages/batch", NDJSON).bodyValue(utf16).exchange().expectStatus().isBadRequest();
            assertThat(recordsOf(PageUrl.parse("https://bom.example/16").id())).isEmpty();
        }

        @Test
        void aDeleteIsAVersionedWriteOfItsOwn() {
            String id = PageUrl.parse("https://delete.example/x").id();

            http.delete().uri("/v1/pages/" + id).header(HttpHeaders.AUTHORIZATION, "Bearer " + key).exchange()
                    .expectStatus().isAccepted()
                    .expectBody().jsonPath("$.id").isEqualTo(id).jsonPath("$.token").isNotEmpty();

            assertThat(recordsOf(id)).singleElement().satisfies(record ->
                    assertThat(new EnvelopeCodec().decode(record.value()).op()).isEqualTo(Op.DELETE));
        }

        @Test
        void rateLimitHeadersComeWithEveryWrite() {
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue(page("https://headers.example/")).exchange()
                    .expectStatus().isAccepted()
                    .expectHeader().exists("RateLimit-Limit")
                    .expectHeader().exists("RateLimit-Remaining");
        }
    }

    @Nested
    class Refused {

        @Test
        void anInvalidPageIs400NamingEachField() {
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue("{\"url\":\"ftp://x.org/\",\"status\":\"ok\"}").exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(PROBLEM)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-page")
                    .jsonPath("$.status").isEqualTo(400)
                    .jsonPath("$.instance").isEqualTo("/v1/pages")
                    .jsonPath("$.errors[?(@.field == 'url')].code").isEqualTo("invalid")
                    .jsonPath("$.errors[?(@.field == 'fetched_at')].code").isEqualTo("required")
                    .jsonPath("$.errors[?(@.field == 'status')].code").isEqualTo("wrong_type")
                    .jsonPath("$.detail").value(detail -> assertThat(detail.toString())
                            .contains("url must use the http or https scheme, not 'ftp'"));
        }

        @Test
        void malformedJsonIs400NotA500() {
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue("{\"url\": ").exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(PROBLEM)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:malformed-body")
                    .jsonPath("$.detail").value(d -> assertThat(d.toString()).startsWith("The body is not valid JSON"));
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue("").exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.detail").isEqualTo("The body is empty: send one page as a JSON object.");
        }

        @Test
        void aBatchWithBadItemsIsRejectedWholeNamingEachIndex() {
            String url = "https://rejected.example/good";
            String batch = "[" + page(url) + ",{\"url\":\"https://rejected.example/2\"}," + page("https://rejected.example/3")
                    + ",{\"fetched_at\":\"2026-11-20T10:15:30Z\",\"url\":\"mailto:x@y\"}]";

            post("/v1/pages/batch", MediaType.APPLICATION_JSON).bodyValue(batch).exchange()
                    .expectStatus().isBadRequest()
                    .expectHeader().contentType(PROBLEM)
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-batch")
                    .jsonPath("$.error_count").isEqualTo(2)
                    .jsonPath("$.errors[0].index").isEqualTo(1)
                    .jsonPath("$.errors[0].field").isEqualTo("fetched_at")
                    .jsonPath("$.errors[1].index").isEqualTo(3)
                    .jsonPath("$.errors[1].field").isEqualTo("url");

            assertThat(recordsOf(PageUrl.parse(url).id())).as("nothing of a rejected batch reaches Kafka").isEmpty();
        }

        @Test
        void everyBadNdjsonLineIsReportedWithItsLine() {
            String ndjson = page("https://lines.example/1") + "\n{not json\n\n" + page("https://lines.example/3")
                    + "\n{\"url\":\"https://lines.example/4\"}\n";

            post("/v1/pages/batch", NDJSON).bodyValue(ndjson).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody()
                    .jsonPath("$.error_count").isEqualTo(2)
                    .jsonPath("$.errors[0].index").isEqualTo(1)
                    .jsonPath("$.errors[0].line").isEqualTo(2)
                    .jsonPath("$.errors[0].code").isEqualTo("malformed")
                    .jsonPath("$.errors[1].index").isEqualTo(3)
                    .jsonPath("$.errors[1].line").isEqualTo(5)
                    .jsonPath("$.errors[1].field").isEqualTo("fetched_at");
        }

        @Test
        void aSyntaxErrorInAJsonArrayNamesTheItem() {
            post("/v1/pages/batch", MediaType.APPLICATION_JSON).bodyValue("[" + page("https://syntax.example/") + ", {oops}]").exchange()
                    .expectStatus().isBadRequest()
                    .expectBody()
                    .jsonPath("$.errors[0].index").isEqualTo(1)
                    .jsonPath("$.errors[0].code").isEqualTo("malformed");
            post("/v1/pages/batch", MediaType.APPLICATION_JSON).bodyValue(page("https://not-an-array.example/")).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:malformed-body");
            post("/v1/pages/batch", MediaType.APPLICATION_JSON).bodyValue("[]").exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.detail").isEqualTo("The batch is empty: send at least one page.");
        }

        @Test
        void corruptOrTruncatedGzipIs400() {
            byte[] gzip = gzip(page("https://gzip.example/truncated"));
            byte[] truncated = Arrays.copyOf(gzip, gzip.length - 6);

            post("/v1/pages", MediaType.APPLICATION_JSON).header(HttpHeaders.CONTENT_ENCODING, "gzip").bodyValue(truncated).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-encoding");
            post("/v1/pages", MediaType.APPLICATION_JSON).header(HttpHeaders.CONTENT_ENCODING, "gzip")
                    .bodyValue("this is not gzip".getBytes(StandardCharsets.UTF_8)).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-encoding");
        }

        @Test
        void tooLargeRequestsAre413() {
            String huge = "x".repeat(3 * 1024 * 1024);
            post("/v1/pages", MediaType.APPLICATION_JSON).bodyValue(huge).exchange()
                    .expectStatus().isEqualTo(413)
                    .expectHeader().contentType(PROBLEM)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:request-too-large");

            StringBuilder many = new StringBuilder("[");
            for (int i = 0; i < 51; i++) {
                many.append(i == 0 ? "" : ",").append(page("https://many.example/" + i));
            }
            post("/v1/pages/batch", MediaType.APPLICATION_JSON).bodyValue(many.append("]").toString()).exchange()
                    .expectStatus().isEqualTo(413)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:batch-too-large")
                    .jsonPath("$.limit_pages").isEqualTo(50);
        }

        @Test
        void aGzipBombIsCutOffAtTheLimit() {
            byte[] bomb = gzip(" ".repeat(20 * 1024 * 1024)); // 20 MB of spaces in ~20 KB
            assertThat(bomb.length).isLessThan(100_000);

            post("/v1/pages", MediaType.APPLICATION_JSON).header(HttpHeaders.CONTENT_ENCODING, "gzip").bodyValue(bomb).exchange()
                    .expectStatus().isEqualTo(413);
        }

        @Test
        void unsupportedMediaTypesAndEncodingsAre415() {
            post("/v1/pages", MediaType.TEXT_PLAIN).bodyValue(page("https://x.example/")).exchange()
                    .expectStatus().isEqualTo(415)
                    .expectHeader().valueEquals("Accept-Post", "application/json")
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:unsupported-media-type");
            post("/v1/pages/batch", MediaType.APPLICATION_XML).bodyValue("<pages/>").exchange()
                    .expectStatus().isEqualTo(415)
                    .expectHeader().valueEquals("Accept-Post", "application/json, application/x-ndjson");
            post("/v1/pages", MediaType.APPLICATION_JSON).header(HttpHeaders.CONTENT_ENCODING, "br").bodyValue(page("https://x.example/")).exchange()
                    .expectStatus().isEqualTo(415)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:unsupported-encoding");
        }

        @Test
        void writesNeedAValidKeyWithTheWriteScope() {
            http.post().uri("/v1/pages").contentType(MediaType.APPLICATION_JSON).bodyValue(page("https://x.example/")).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"sluice\"")
                    .expectHeader().contentType(PROBLEM);
            http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer slk_AAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(page("https://x.example/")).exchange()
                    .expectStatus().isUnauthorized()
                    .expectBody().jsonPath("$.detail").isEqualTo("The API key is unknown or revoked.");
            String readOnly = ApiFixtures.createKey(connections, 10, 10, "read");
            http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + readOnly)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(page("https://x.example/")).exchange()
                    .expectStatus().isForbidden()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:forbidden");
        }

        @Test
        void aBadPageIdInADeleteIs400() {
            http.delete().uri("/v1/pages/not-an-id").header(HttpHeaders.AUTHORIZATION, "Bearer " + key).exchange()
                    .expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:invalid-page-id");
        }

        @Test
        void unknownRoutesAreProblemsToo() {
            http.get().uri("/v1/nothing-here").exchange()
                    .expectStatus().isNotFound()
                    .expectHeader().contentType(PROBLEM)
                    .expectBody().jsonPath("$.status").isEqualTo(404).jsonPath("$.type").isEqualTo("about:blank")
                    .jsonPath("$.detail").isEqualTo("Nothing is served at /v1/nothing-here; the API's routes are under /v1/.");
        }

        @Test
        void aContentTypeThatDoesNotParseIs400NotA500() {
            byte[] page = page("https://x.example/").getBytes(StandardCharsets.UTF_8);
            for (String type : List.of("json", "application/json; charset=bogus", ";;;")) { // sent raw: a client library would not
                RawHttp.Answer answer = new RawHttp(port, Duration.ofSeconds(10)).send("POST", "/v1/pages", Map.of("Authorization", "Bearer " + key,
                        "Content-Type", type, "Content-Length", Integer.toString(page.length)), RawHttp.Body.of(page));
                assertThat(answer.status()).as(type + ": " + answer).isEqualTo(400);
                assertThat(answer.text()).contains("urn:sluice:problem:invalid-media-type");
            }
        }

        @Test
        void theRateLimitAnswers429WithRetryAfter() {
            String slow = ApiFixtures.createKey(connections, 1, 2);
            String batchOfThree = "[" + page("https://slow.example/a") + "," + page("https://slow.example/b") + ","
                    + page("https://slow.example/c") + "]";
            http.post().uri("/v1/pages/batch").header(HttpHeaders.AUTHORIZATION, "Bearer " + slow)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(batchOfThree).exchange()
                    .expectStatus().isEqualTo(413)
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:batch-exceeds-burst");
            for (int i = 0; i < 2; i++) {
                http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + slow)
                        .contentType(MediaType.APPLICATION_JSON).bodyValue(page("https://slow.example/" + i)).exchange()
                        .expectStatus().isAccepted();
            }
            http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + slow)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(page("https://slow.example/3")).exchange()
                    .expectStatus().isEqualTo(429)
                    .expectHeader().exists(HttpHeaders.RETRY_AFTER)
                    .expectHeader().valueEquals("RateLimit-Limit", "2")
                    .expectHeader().valueEquals("RateLimit-Remaining", "0")
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:rate-limited");
            // Known empty now: the next request is refused before its body is read, with the same headers.
            http.post().uri("/v1/pages").header(HttpHeaders.AUTHORIZATION, "Bearer " + slow)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(page("https://slow.example/4")).exchange()
                    .expectStatus().isEqualTo(429)
                    .expectHeader().exists(HttpHeaders.RETRY_AFTER)
                    .expectHeader().valueEquals("RateLimit-Remaining", "0")
                    .expectBody().jsonPath("$.type").isEqualTo("urn:sluice:problem:rate-limited");
        }
    }
}
