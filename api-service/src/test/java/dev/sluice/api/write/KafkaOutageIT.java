package dev.sluice.api.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.infra.stack.KafkaNode;
import dev.sluice.infra.stack.Stack;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;

/**
 * Guarantee 1, no false acknowledgement: with the broker down, writes get 503 within the configured bound and
 * never 202; once it is back, writes succeed, and every page that ever got 202 is in the topic.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=pages.outage-it",
        "sluice.api.write.ack-timeout=2s",
        "sluice.api.write.retry-after=3s"})
@AutoConfigureWebTestClient(timeout = "30s")
class KafkaOutageIT {

    @Autowired
    WebTestClient http;

    private final String key = key();
    private final Set<String> acknowledged = ConcurrentHashMap.newKeySet();

    private static String key() {
        var connections = SharedStack.forTestClass(KafkaOutageIT.class);
        ApiFixtures.migrate(connections);
        return ApiFixtures.createKey(connections);
    }

    private EntityExchangeResult<JsonNode> write(int n) {
        EntityExchangeResult<JsonNode> result = http.post().uri("/v1/pages")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + key).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(WritePathIT.page("https://outage.example/" + n)).exchange()
                .expectBody(JsonNode.class).returnResult();
        if (result.getStatus().value() == 202) {
            acknowledged.add(result.getResponseBody().get("id").asString());
        }
        return result;
    }

    @Test
    void withTheBrokerDownWritesGet503WithinTheBoundNever202AndNothingAcknowledgedIsLost() {
        Stack stack = SharedStack.get();
        KafkaNode broker = stack.kafka().orElseThrow(() -> new IllegalStateException("this test stops the embedded broker"));
        assertThat(write(0).getStatus().value()).isEqualTo(202);

        broker.stop();
        List<Integer> whileDown = new ArrayList<>();
        try {
            for (int n = 1; n <= 3; n++) {
                long started = System.nanoTime();
                EntityExchangeResult<JsonNode> result = write(n);
                Duration took = Duration.ofNanos(System.nanoTime() - started);
                whileDown.add(result.getStatus().value());
                assertThat(result.getStatus().value()).as("write %d while Kafka is down", n).isEqualTo(503);
                assertThat(took).as("answered within the 2 s bound (plus slack)").isLessThan(Duration.ofMillis(3500));
                assertThat(result.getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("3");
                assertThat(result.getResponseHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
                assertThat(result.getResponseBody().get("type").asString()).isEqualTo("urn:sluice:problem:kafka-unavailable");
            }
        } finally {
            broker.startAgain();
        }
        assertThat(whileDown).containsOnly(503);

        int[] n = {100};
        Awaitility.await().alias("writes succeed again once the broker is back").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> write(n[0]++).getStatus().value() == 202);
        for (int i = 0; i < 20; i++) {
            assertThat(write(1000 + i).getStatus().value()).isEqualTo(202);
        }

        Set<String> inTopic = TopicRecords.readAll(stack.connections().kafkaBootstrap(), "pages.outage-it").stream()
                .map(record -> record.key()).collect(Collectors.toSet());
        assertThat(inTopic).as("every page that got 202 is in the topic").containsAll(acknowledged);
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(22);
    }
}
