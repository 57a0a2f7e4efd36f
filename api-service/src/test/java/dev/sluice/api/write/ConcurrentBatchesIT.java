package dev.sluice.api.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.core.json.Json;
import dev.sluice.infra.sample.Corpus;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Large batches on many kept-alive connections at once: every request is answered. Regression test for a read
 * stall in Reactor Netty 1.3.7 (reactor/reactor-netty#4361), found by the write benchmark; see the root POM.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "sluice.topics.pages.name=pages.concurrent-it")
class ConcurrentBatchesIT {

    @LocalServerPort
    int port;

    @Test
    void aLargeInvalidBatchGetsIts400OnAKeptAliveConnection() {
        var connections = SharedStack.forTestClass(ConcurrentBatchesIT.class);
        ApiFixtures.migrate(connections);
        String key = ApiFixtures.createKey(connections);
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            ndjson.append(i == 250 ? "{broken" : "{\"url\":\"https://invalid.example/" + i + "\",\"fetched_at\":\"2026-11-20T10:15:30Z\",\"body\":\""
                    + "x".repeat(2000) + "\"}").append('\n');
        }
        byte[] body = ndjson.toString().getBytes(StandardCharsets.UTF_8);
        ConnectionProvider pool = ConnectionProvider.builder("test-invalid").maxConnections(1).build();
        HttpClient client = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port).headers(h -> {
            h.set("Authorization", "Bearer " + key);
            h.set("Content-Type", "application/x-ndjson");
        });
        try {
            for (int i = 0; i < 3; i++) {
                Integer status = client.post().uri("/v1/pages/batch")
                        .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(body)))
                        .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
                        .block(Duration.ofSeconds(20));
                assertThat(status).isEqualTo(400);
            }
        } finally {
            pool.dispose();
        }
    }

    @Test
    void manyLargeBatchesOnKeptAliveConnectionsAreAllAnswered() {
        var connections = SharedStack.forTestClass(ConcurrentBatchesIT.class);
        ApiFixtures.migrate(connections);
        String key = ApiFixtures.createKey(connections);
        List<String> pages = Corpus.pages();
        StringBuilder ndjson = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            JsonNode source = Json.mapper().readTree(pages.get(i % pages.size()));
            ObjectNode page = Json.mapper().createObjectNode();
            page.put("url", "https://concurrent.example/" + i);
            page.put("fetched_at", "2026-11-20T10:15:30Z");
            page.put("title", source.get("title").asString());
            String html = source.get("body").asString();
            page.put("body", html.substring(0, Math.min(2048, html.length())));
            ndjson.append(Json.mapper().writeValueAsString(page)).append('\n');
        }
        byte[] body = ndjson.toString().getBytes(StandardCharsets.UTF_8);
        // Any keep-alive client reproduces reactor/reactor-netty#4361 on Reactor Netty 1.3.7: the next request arrives
        // before the server has terminated the previous exchange, is buffered, and its body stalls after 256 KB.
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1)
                .executor(java.util.concurrent.Executors.newFixedThreadPool(8))
                .build();
        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/v1/pages/batch"))
                .header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/x-ndjson")
                .timeout(Duration.ofSeconds(30))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        AtomicInteger accepted = new AtomicInteger();
        Flux.range(0, 400)
                .flatMap(i -> Mono.fromFuture(() -> client.sendAsync(request, java.net.http.HttpResponse.BodyHandlers.discarding())), 8)
                .doOnNext(response -> {
                    if (response.statusCode() == 202) {
                        accepted.incrementAndGet();
                    }
                })
                .blockLast(Duration.ofMinutes(3));
        assertThat(accepted).hasValue(400);
    }
}
