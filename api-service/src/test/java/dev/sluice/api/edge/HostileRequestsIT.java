package dev.sluice.api.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.RawHttp;
import dev.sluice.api.StoredRows;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.page.PageUrl;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.store.apply.BatchApplier;
import dev.sluice.store.apply.BatchCoalescer;
import dev.sluice.store.apply.PageWrite;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API under a few thousand hostile requests ({@link HostileRequests}), valid pages among them, from four
 * clients at once: every answer is a success or a 4xx problem, never a 5xx, a reset or a hang; the heap is as
 * small afterwards as a stated bound allows; and every page accepted among them is readable once applied.
 *
 * <p>The seed is printed; {@code -Dsluice.fuzz.seed=N} repeats a run, {@code -Dsluice.fuzz.seed=random} draws a
 * new one, {@code -Dsluice.fuzz.requests=N} sets how many distinct requests.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.topics.pages.name=" + HostileRequestsIT.TOPIC,
        "sluice.redis.key-prefix=hostile-requests-it:",
        // A body that stops short of its declared length is answered (408) well within the 5 s a request may take.
        "sluice.api.edge.body-read-timeout=1s",
        "sluice.api.edge.request-head-timeout=2s"})
class HostileRequestsIT {

    static final String TOPIC = "pages.hostile-requests-it";
    private static final JsonMapper JSON = JsonMapper.shared();
    private static final Duration MOST_A_REQUEST_MAY_TAKE = Duration.ofSeconds(5);
    /** What the heap may hold after the run, after a collection, beyond what it held before. */
    private static final long HEAP_GROWTH_BOUND = 64L * 1024 * 1024;
    private static final int CLIENTS = 4;

    static Connections connections;
    static String key;
    static String storedId;

    @LocalServerPort
    int port;

    @BeforeAll
    static void aKeyAndStoredPages() {
        connections = SharedStack.forTestClass(HostileRequestsIT.class);
        ApiFixtures.migrate(connections);
        key = ApiFixtures.createKey(connections);
        StoredRows rows = new StoredRows(connections.dataSource());
        for (int i = 0; i < 3; i++) {
            storedId = rows.page("https://fuzz.example/stored/" + i, "Stored " + i, "<p>stored</p>", Instant.parse("2026-11-20T10:00:00Z").plusSeconds(i), 1);
        }
    }

    @Test
    void everyAnswerIsASuccessOrAProblemQuicklyAndEveryAcceptedPageIsReadable() throws Exception {
        long seed = seed();
        int size = Integer.getInteger("sluice.fuzz.requests", 2_400);
        System.out.printf("Hostile requests: seed %d (-Dsluice.fuzz.seed=%d repeats this run)%n", seed, seed);
        RawHttp http = new RawHttp(port, MOST_A_REQUEST_MAY_TAKE.plusSeconds(1));
        HostileRequests generator = new HostileRequests(seed, key, port, storedId, realToken(http), realCursor(http));
        List<HostileRequests.Request> requests = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (requests.size() < size) {
            HostileRequests.Request request = generator.next();
            if (seen.add(request.identity())) {
                requests.add(request);
            }
        }
        long heapBefore = heapAfterCollection();

        Map<String, AtomicInteger> statuses = new ConcurrentHashMap<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        Map<HostileRequests.ValidPage, Boolean> accepted = new ConcurrentHashMap<>();
        long started = System.nanoTime();
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> running = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        for (int c = 0; c < CLIENTS; c++) {
            running.add(clients.submit(() -> {
                for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
                    HostileRequests.Request request = requests.get(i);
                    long sent = System.nanoTime();
                    RawHttp.Answer answer = http.exchange(request.head(), RawHttp.Body.of(request.body()));
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
                    statuses.computeIfAbsent(request.kind() + " " + (answer.status() > 0 ? answer.status() : answer.ending()),
                            k -> new AtomicInteger()).incrementAndGet();
                    String wrong = judge(request, answer, millis);
                    if (wrong != null) {
                        failures.add("#" + i + " [" + request.kind() + ": " + request.what() + "] " + wrong);
                    } else if (!request.valid().isEmpty()) {
                        request.valid().forEach(page -> accepted.put(page, true));
                    }
                }
                return null;
            }));
        }
        for (Future<?> client : running) {
            client.get(10, TimeUnit.MINUTES);
        }
        clients.shutdown();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        long heapAfter = heapAfterCollection();

        System.out.printf("Hostile requests: %,d distinct, seed %d, %d clients, %d s; answers by kind and status: %s%n",
                requests.size(), seed, CLIENTS, seconds, new TreeMap<>(statuses));
        System.out.printf("Heap after a collection: %,d MB before, %,d MB after (bound: +%d MB)%n",
                heapBefore >> 20, heapAfter >> 20, HEAP_GROWTH_BOUND >> 20);
        assertThat(failures).as("requests answered outside the contract (seed " + seed + ")").isEmpty();
        assertThat(heapAfter - heapBefore).as("heap growth over the run (seed " + seed + ")").isLessThan(HEAP_GROWTH_BOUND);

        List<HostileRequests.ValidPage> valid = new ArrayList<>(accepted.keySet());
        assertThat(valid).as("valid pages were among them, and accepted").hasSizeGreaterThan(size / 10);
        applyTheTopicAsTheWorkersDo();
        for (HostileRequests.ValidPage page : valid) {
            RawHttp.Answer answer = http.send("GET", "/v1/pages/" + PageUrl.parse(page.url()).id(), Map.of("Authorization", "Bearer " + key));
            assertThat(answer.status()).as(page.url() + ": " + answer).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("title").asString()).as(page.url()).isEqualTo(page.title());
        }
        System.out.printf("All %,d accepted valid pages read back after the topic was applied%n", valid.size());
    }

    /** Null if the answer keeps the contract, else what is wrong with it. */
    private static String judge(HostileRequests.Request request, RawHttp.Answer answer, long millis) {
        if (answer.ending() != RawHttp.Ending.ANSWERED) {
            return "no answer: " + answer.ending() + " after " + millis + " ms";
        }
        if (millis > MOST_A_REQUEST_MAY_TAKE.toMillis()) {
            return "answered " + answer.status() + " only after " + millis + " ms";
        }
        if (answer.status() >= 500) {
            return "server error: " + answer;
        }
        if (!request.valid().isEmpty() && answer.status() != 202) {
            return "a valid write was not accepted: " + answer;
        }
        if (answer.status() >= 400 && !request.method().equals("HEAD")) {
            if (!"application/problem+json".equals(answer.header("content-type"))) {
                return "a " + answer.status() + " that is not a problem: " + answer.header("content-type") + " " + answer;
            }
            JsonNode problem = JSON.readTree(answer.body());
            String type = problem.path("type").asString();
            boolean typed = type.startsWith("urn:sluice:problem:") || type.equals("about:blank"); // about:blank: the status says it all
            if (!typed || problem.path("status").asInt() != answer.status()) {
                return "a problem without its type or status: " + answer;
            }
            if (answer.body().length > 16 * 1024) {
                return "a problem of " + answer.body().length + " bytes";
            }
        }
        return null;
    }

    /** The token of a real write, to be forged from. */
    private String realToken(RawHttp http) {
        byte[] page = ("{\"url\":\"https://fuzz.example/token\",\"fetched_at\":\"2026-11-20T10:15:30Z\"}").getBytes(StandardCharsets.UTF_8);
        RawHttp.Answer answer = http.send("POST", "/v1/pages", Map.of("Authorization", "Bearer " + key, "Content-Type", "application/json",
                "Content-Length", Integer.toString(page.length)), RawHttp.Body.of(page));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(202);
        return JSON.readTree(answer.body()).path("token").asString();
    }

    /** A cursor of a real list, to be forged from. */
    private String realCursor(RawHttp http) {
        RawHttp.Answer answer = http.send("GET", "/v1/sites/fuzz.example/pages?limit=1", Map.of("Authorization", "Bearer " + key));
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return JSON.readTree(answer.body()).path("next_cursor").asString();
    }

    /** Every record of the topic applied to PostgreSQL with the workers' own code: decode, coalesce, apply. */
    private static void applyTheTopicAsTheWorkersDo() {
        EnvelopeCodec codec = new EnvelopeCodec();
        List<PageWrite> writes = new ArrayList<>();
        Map<Integer, Long> nextOffsets = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : TopicRecords.readAll(connections.kafkaBootstrap(), TOPIC)) {
            writes.add(new PageWrite(codec.decode(record.value()), record.partition(), record.offset()));
            nextOffsets.merge(record.partition(), record.offset() + 1, Math::max);
        }
        BatchApplier.Result result = new BatchApplier(connections.dataSource(), "hostile-requests-it", TOPIC)
                .apply(BatchCoalescer.coalesce(writes), nextOffsets, (refused, reason) -> {
                    throw new AssertionError("PostgreSQL refused " + refused.size() + " accepted page(s): " + reason);
                });
        System.out.printf("Applied the topic: %,d records, %s%n", writes.size(), result);
    }

    private static long seed() {
        String configured = System.getProperty("sluice.fuzz.seed", "20261205");
        return configured.equals("random") ? new java.security.SecureRandom().nextLong() : Long.parseLong(configured);
    }

    private static long heapAfterCollection() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
