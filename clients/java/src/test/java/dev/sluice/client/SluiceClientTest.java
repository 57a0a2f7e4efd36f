package dev.sluice.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client against an HTTP server that answers as the API does in each case (the real API is the CLI's ImportIT):
 * every page ends accepted or rejected with its reason, whatever the answers.
 */
class SluiceClientTest {

    private HttpServer server;
    private final List<List<String>> received = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void aBatchIsRetriedAfter429AndSplitOn413ToTheBurstTheApiNames() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI api = serve(exchange -> {
            List<String> pages = pages(exchange);
            if (calls.incrementAndGet() == 1) {
                respond(exchange, 429, "{\"type\":\"rate-limited\"}", "1");
            } else if (pages.size() > 4) {
                respond(exchange, 413, "{\"type\":\"too-many-pages\",\"limit_pages\":4}", null);
            } else {
                received.add(pages);
                respond(exchange, 202, "{\"accepted\":" + pages.size() + "}", null);
            }
        });
        List<SluiceClient.Rejected<Integer>> rejected = Collections.synchronizedList(new ArrayList<>());
        try (SluiceClient<Integer> client = SluiceClient.<Integer>builder(api, "slk_x").batchPages(10).concurrency(1)
                .onRejected(rejected::add).build()) {
            for (int i = 0; i < 10; i++) {
                client.add(i, page(i));
            }
            SluiceClient.Counts counts = client.flush();
            assertThat(counts.accepted()).isEqualTo(10);
            assertThat(counts.waits()).isEqualTo(1);
            assertThat(counts.retriedPages()).isEqualTo(10);
        }
        assertThat(rejected).isEmpty();
        assertThat(received).allSatisfy(batch -> assertThat(batch).hasSizeLessThanOrEqualTo(4));
        assertThat(received.stream().mapToInt(List::size).sum()).isEqualTo(10);
    }

    @Test
    void pagesTheApiNamesAreRejectedWithItsReasonAndTheRestSentAgain() throws Exception {
        URI api = serve(exchange -> {
            List<String> pages = pages(exchange);
            int bad = pages.indexOf(page(3));
            if (bad >= 0) {
                respond(exchange, 400, "{\"errors\":[{\"index\":" + bad + ",\"field\":\"url\",\"message\":\"must be http or https\"}]}", null);
            } else {
                received.add(pages);
                respond(exchange, 202, "{}", null);
            }
        });
        List<SluiceClient.Rejected<Integer>> rejected = Collections.synchronizedList(new ArrayList<>());
        try (SluiceClient<Integer> client = SluiceClient.<Integer>builder(api, "slk_x").batchPages(5).onRejected(rejected::add).build()) {
            for (int i = 0; i < 5; i++) {
                client.add(i, page(i));
            }
            assertThat(client.flush().accepted()).isEqualTo(4);
        }
        assertThat(rejected).singleElement().satisfies(page -> {
            assertThat(page.tag()).isEqualTo(3);
            assertThat(page.reason()).isEqualTo("400 url: must be http or https");
        });
    }

    @Test
    void aRefusedKeyStopsTheClientAndWhatItHeldIsRejectedAsNotSent() throws Exception {
        URI api = serve(exchange -> {
            pages(exchange);
            respond(exchange, 401, "{\"detail\":\"unknown key\"}", null);
        });
        List<SluiceClient.Rejected<Integer>> rejected = Collections.synchronizedList(new ArrayList<>());
        try (SluiceClient<Integer> client = SluiceClient.<Integer>builder(api, "slk_x").batchPages(2).concurrency(1)
                .onRejected(rejected::add).build()) {
            for (int i = 0; i < 4; i++) {
                client.add(i, page(i));
            }
            client.flush();
            assertThat(client.stopped()).hasValue("401 unknown key");
        }
        assertThat(rejected).hasSize(4).allSatisfy(page -> assertThat(page.reason()).startsWith("not sent: the API refused the key (401"));
    }

    @Test
    void aServerThatKeepsFailingGetsBoundedAttemptsThenThePagesAreRejected() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI api = serve(exchange -> {
            pages(exchange);
            calls.incrementAndGet();
            respond(exchange, 500, "{}", null);
        });
        List<SluiceClient.Rejected<Integer>> rejected = Collections.synchronizedList(new ArrayList<>());
        try (SluiceClient<Integer> client = SluiceClient.<Integer>builder(api, "slk_x").maxAttempts(2).onRejected(rejected::add).build()) {
            client.add(0, page(0));
        }
        assertThat(calls.get()).isEqualTo(2);
        assertThat(rejected).singleElement().satisfies(page -> assertThat(page.reason()).startsWith("not accepted after 2 attempts: 500"));
    }

    private static String page(int i) {
        return "{\"url\":\"https://client.example/" + i + "\",\"fetched_at\":\"2026-11-20T10:00:00Z\"}";
    }

    interface Handler {
        void handle(HttpExchange exchange) throws IOException;
    }

    private URI serve(Handler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/pages/batch", handler::handle);
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The pages of a request, gunzipped as the API does. */
    private static List<String> pages(HttpExchange exchange) throws IOException {
        assertThat(exchange.getRequestHeaders().getFirst("Content-Encoding")).isEqualTo("gzip");
        try (InputStream body = new GZIPInputStream(exchange.getRequestBody())) {
            return new String(body.readAllBytes(), StandardCharsets.UTF_8).lines().filter(line -> !line.isBlank()).toList();
        }
    }

    private static void respond(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().add("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
