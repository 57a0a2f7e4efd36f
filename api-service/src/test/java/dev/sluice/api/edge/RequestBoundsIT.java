package dev.sluice.api.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every request is bounded in memory and time before and while its body is read: hostile shapes of one request
 * get a specific problem, quickly, and a client that sends the whole over-limit body before reading still reads
 * its 413.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.request-bounds-it",
        "sluice.redis.key-prefix=request-bounds-it:",
        "sluice.api.write.max-request-size=1MB",
        "sluice.api.edge.body-read-timeout=1s",
        "sluice.api.edge.request-head-timeout=1s"})
class RequestBoundsIT {

    private static final JsonMapper JSON = JsonMapper.shared();

    static String key;
    static String slowKey;

    @LocalServerPort
    int port;

    @BeforeAll
    static void keys() {
        Connections connections = SharedStack.forTestClass(RequestBoundsIT.class);
        ApiFixtures.migrate(connections);
        key = ApiFixtures.createKey(connections);
        slowKey = ApiFixtures.createKey(connections, 1, 1);
    }

    RawHttp http() {
        return new RawHttp(port, Duration.ofSeconds(10));
    }

    Map<String, String> headers(String key, String contentType, long length, String... more) {
        java.util.LinkedHashMap<String, String> headers = new java.util.LinkedHashMap<>();
        headers.put("Authorization", "Bearer " + key);
        headers.put("Content-Type", contentType);
        if (length >= 0) {
            headers.put("Content-Length", Long.toString(length));
        }
        for (int i = 0; i < more.length; i += 2) {
            headers.put(more[i], more[i + 1]);
        }
        return headers;
    }

    static JsonNode problem(RawHttp.Answer answer) {
        assertThat(answer.header("content-type")).as(answer.toString()).isEqualTo("application/problem+json");
        return JSON.readTree(answer.body());
    }

    @Test
    void aGzipHeaderWhoseNameNeverEndsIsRefusedAfterAFewKilobytesNotBuffered() {
        long size = 48L * 1024 * 1024;
        byte[] header = {0x1f, (byte) 0x8b, 8, 8 /* FNAME */, 0, 0, 0, 0, 0, 3};
        RawHttp.Body body = chunked(out -> {
            out.write(header);
            RawHttp.Body.repeated((byte) 'a', size - header.length).writeTo(out); // the name, never ended by a NUL
        });
        long started = System.nanoTime();
        RawHttp.Answer answer = http().send("POST", "/v1/pages/batch",
                headers(key, "application/x-ndjson", -1, "Content-Encoding", "gzip", "Transfer-Encoding", "chunked"), body);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(problem(answer).path("type").asString()).isEqualTo("urn:sluice:problem:invalid-encoding");
        assertThat(problem(answer).path("detail").asString()).contains("header");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
        assertThat(answer.closedAfter()).as("the rest of the body is not read: the connection closes").isTrue();
    }

    @Test
    void compressedBytesCountAgainstTheRequestLimitToo() throws IOException {
        byte[] random = new byte[1024 * 1024 - 8]; // under the 1 MB limit decoded, over it compressed (random bytes do not shrink)
        new Random(7).nextBytes(random);
        for (int i = 0; i < random.length; i++) {
            random[i] = random[i] == '\n' ? (byte) 'x' : random[i]; // one line, so no other limit is met first
        }
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
            gzip.write(random);
        }
        assertThat(compressed.size()).isGreaterThan(1024 * 1024).as("premise");
        RawHttp.Answer answer = http().send("POST", "/v1/pages/batch", // chunked: no declared length to refuse it by
                headers(key, "application/x-ndjson", -1, "Content-Encoding", "gzip", "Transfer-Encoding", "chunked"),
                chunked(RawHttp.Body.of(compressed.toByteArray())));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(413);
        assertThat(problem(answer).path("type").asString()).isEqualTo("urn:sluice:problem:request-too-large");
    }

    @Test
    void aClientThatSendsAnOverLimitBodyBeforeReadingStillReadsIts413ThenTheConnectionCloses() {
        long size = 8L * 1024 * 1024;
        for (Map<String, String> framing : java.util.List.of(Map.of("Content-Length", Long.toString(size)), Map.of("Transfer-Encoding", "chunked"))) {
            java.util.LinkedHashMap<String, String> headers = new java.util.LinkedHashMap<>(headers(key, "application/x-ndjson", -1));
            headers.putAll(framing);
            RawHttp.Body body = framing.containsKey("Content-Length") ? RawHttp.Body.repeated((byte) 'a', size)
                    : chunked(RawHttp.Body.repeated((byte) 'a', size));
            RawHttp.Answer answer = http().sendThenRead("POST", "/v1/pages/batch", headers, body);
            assertThat(answer.ending()).as(framing + ": " + answer).isEqualTo(RawHttp.Ending.ANSWERED);
            assertThat(answer.status()).isEqualTo(413);
            assertThat(problem(answer).path("type").asString()).isEqualTo("urn:sluice:problem:request-too-large");
            assertThat(answer.header("connection")).isEqualTo("close");
            assertThat(answer.closedAfter()).isTrue();
        }
    }

    @Test
    void aPageOfThousandsOfUnknownFieldsGetsASmallAnswer() {
        StringBuilder fields = new StringBuilder("{\"url\":\"https://bounds.example/\",\"fetched_at\":\"2026-11-20T10:15:30Z\"");
        for (int i = 0; i < 80_000; i++) {
            fields.append(",\"f").append(i).append("\":0");
        }
        byte[] huge = fields.append('}').toString().getBytes(StandardCharsets.UTF_8);
        assertThat(huge.length).as("within the request limit").isLessThan(1024 * 1024);
        RawHttp.Answer answer = http().send("POST", "/v1/pages", headers(key, "application/json", huge.length), RawHttp.Body.of(huge));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(answer.body().length).as("the answer does not list 80,000 violations").isLessThan(4096);

        StringBuilder some = new StringBuilder("{\"url\":\"https://bounds.example/\",\"fetched_at\":\"2026-11-20T10:15:30Z\"");
        for (int i = 0; i < 150; i++) {
            some.append(",\"f").append(i).append("\":0");
        }
        byte[] page = some.append('}').toString().getBytes(StandardCharsets.UTF_8);
        JsonNode listed = problem(http().send("POST", "/v1/pages", headers(key, "application/json", page.length), RawHttp.Body.of(page)));
        assertThat(listed.path("type").asString()).isEqualTo("urn:sluice:problem:invalid-page");
        assertThat(listed.path("error_count").asInt()).isEqualTo(150);
        assertThat(listed.path("errors").size()).isEqualTo(100);
        assertThat(listed.path("detail").asString()).contains("and 145 more");
    }

    @Test
    void deeplyNestedOrHugeJsonIsRefusedByNameNeverAServerError() {
        String deep = "{\"url\":\"https://bounds.example/deep\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"metadata\":"
                + "{\"a\":".repeat(5_000) + "0" + "}".repeat(5_000) + "}";
        RawHttp.Answer answer = http().send("POST", "/v1/pages", headers(key, "application/json", deep.length()),
                RawHttp.Body.of(deep.getBytes(StandardCharsets.UTF_8)));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(400);
        assertThat(problem(answer).path("detail").asString()).contains("nesting depth");

        String line = "{\"url\":\"https://bounds.example/n\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"metadata\":{\"n\":" + "9".repeat(5_000) + "}}\n";
        RawHttp.Answer number = http().send("POST", "/v1/pages/batch", headers(key, "application/x-ndjson", line.length()),
                RawHttp.Body.of(line.getBytes(StandardCharsets.UTF_8)));
        assertThat(number.status()).as(number.toString()).isEqualTo(400);
        assertThat(problem(number).path("errors").get(0).path("code").asString()).isEqualTo("too_large");
    }

    @Test
    void aBodyThatStallsGetsA408() {
        RawHttp.Body stalls = out -> {
            out.write("{\"url\":\"https://bounds.example/slow\",".getBytes(StandardCharsets.UTF_8));
            out.flush();
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(3)); // a client that stops sending halfway
        };
        RawHttp.Answer answer = http().send("POST", "/v1/pages", headers(key, "application/json", 500), stalls);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(408);
        assertThat(problem(answer).path("type").asString()).isEqualTo("urn:sluice:problem:request-timeout");
        assertThat(answer.header("connection")).isEqualTo("close");
    }

    @Test
    void headersThatTrickleInAreCutOff() {
        byte[] partial = "GET /v1/pages/0123456789abcdef0123456789abcdef HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.ISO_8859_1);
        long started = System.nanoTime();
        RawHttp.Answer answer = new RawHttp(port, Duration.ofSeconds(20)).exchange(partial, out -> {
            for (int i = 0; i < 15; i++) { // one byte a second: never idle, never done
                out.write('a');
                out.flush();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        });
        assertThat(answer.ending()).as(answer.toString()).isIn(RawHttp.Ending.CLOSED_WITHOUT_ANSWER, RawHttp.Ending.RESET);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(5);
    }

    @Test
    void aKeyThatWasJustRefusedIsRefusedAgainBeforeItsBodyIsRead() {
        byte[] page = "{\"url\":\"https://bounds.example/limited\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}".getBytes(StandardCharsets.UTF_8);
        assertThat(http().send("POST", "/v1/pages", headers(slowKey, "application/json", page.length), RawHttp.Body.of(page)).status()).isEqualTo(202);
        assertThat(http().send("POST", "/v1/pages", headers(slowKey, "application/json", page.length), RawHttp.Body.of(page)).status()).isEqualTo(429);

        long size = 1_000_000; // within the limits, sent slowly: 64 KB each 50 ms
        RawHttp.Body slowly = out -> {
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) ' ');
            for (long left = size; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
                out.flush();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        };
        RawHttp.Answer answer = http().send("POST", "/v1/pages", headers(slowKey, "application/json", size), slowly);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(429);
        assertThat(answer.header("retry-after")).isEqualTo("1");
        assertThat(answer.header("ratelimit-remaining")).isEqualTo("0");
        assertThat(answer.bodySent()).as("answered before the body was read").isLessThan(size / 4);
    }

    /** The body in chunked transfer coding, one chunk per write. */
    private static RawHttp.Body chunked(RawHttp.Body body) {
        return out -> {
            body.writeTo(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    if (length > 0) {
                        out.write((Integer.toHexString(length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(bytes, offset, length);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    }
                }
            });
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        };
    }
}
