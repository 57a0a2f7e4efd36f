package dev.sluice.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One write, one trace: a crawler posts a page carrying its own W3C {@code traceparent}; the API, the ingest worker
 * and the cache invalidator run as processes exporting over OTLP to a receiver in this test, and the trace that
 * arrives holds a span of every hop, each the child of the one before: the API's request and its send to Kafka,
 * the worker's apply of the page (and the batch it was in), the change feed's publication of the row's change,
 * the cache's effect in Redis and the search indexer's indexing.
 */
@SharedStackTest
class TracingIT {

    static final Path JARS = Path.of("..", "..");

    static OtlpTraceReceiver receiver;
    static final List<ServiceProcess> services = new ArrayList<>();
    static ServiceProcess api;
    static String key;
    static final HttpClient http = HttpClient.newHttpClient();
    static Connections connections;
    /** The ingest worker's output (JSON lines), here and on the console. */
    static final ByteArrayOutputStream ingestLogged = new ByteArrayOutputStream();
    static final PrintStream ingestLogs = new PrintStream(new TeeOutputStream(System.out, ingestLogged), true,
            StandardCharsets.UTF_8);

    @BeforeAll
    static void pipelineExportingTraces() throws Exception {
        Path data = Files.createTempDirectory("tracing-it");
        connections = SharedStack.forTestClass(TracingIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        try (Connection db = connections.dataSource().getConnection()) {
            key = ApiKeyRecords.create(db, "traced-crawler", 10_000, 10_000, List.of("write", "read"));
        }
        receiver = new OtlpTraceReceiver();

        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.put("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", receiver.endpoint());
        environment.put("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_SCHEDULEDELAY", "200ms");
        environment.put("MANAGEMENT_TRACING_SAMPLING_PROBABILITY", "1.0");
        environment.put("SLUICE_REDIS_KEYPREFIX", "tracing-it:");
        environment.put("SLUICE_TOKENS_SECRETS", "tracing-it-secret-for-consistency-tokens-0123456789abcdef");
        environment.put("SLUICE_CDC_SLOTNAME", "sluice_cdc_tracing_it");
        environment.put("SLUICE_INVALIDATOR_STATEDIR", data.resolve("streams").toString());

        Map<String, String> structuredLogs = new HashMap<>(environment);
        structuredLogs.put("LOGGING_STRUCTURED_FORMAT_CONSOLE", "ecs");
        services.add(new ServiceProcess("ingest", jar("ingest-worker"), FreePorts.pick(), structuredLogs, ServiceProcess.QUICK_START_JVM,
                ingestLogs, null));
        services.add(new ServiceProcess("invalidator", jar("cache-invalidator"), FreePorts.pick(), environment,
                ServiceProcess.QUICK_START_JVM, System.out, null));
        int apiPort = FreePorts.pick();
        api = new ServiceProcess("api", jar("api-service"), apiPort, FreePorts.pickOtherThan(apiPort), environment,
                ServiceProcess.QUICK_START_JVM, System.out, null);
        services.add(api);
        services.forEach(ServiceProcess::start);
        await().atMost(Duration.ofMinutes(3)).until(() -> services.stream().allMatch(service -> service.isReady() || !service.isAlive()));
        assertThat(services).allSatisfy(service -> assertThat(service.isAlive()).as(service.name()).isTrue());
    }

    @AfterAll
    static void stop() {
        services.forEach(ServiceProcess::kill);
        if (receiver != null) {
            receiver.close();
        }
    }

    @Test
    void aPostedPageYieldsOneConnectedTraceThroughEveryHop() throws Exception {
        String traceId = randomHex(16);
        String crawlerSpan = randomHex(8);
        HttpResponse<String> posted = post("""
                {"url": "https://traced.example/one", "title": "Traced", "content_type": "text/html", "status": 200,
                 "fetched_at": "2026-12-05T10:00:00Z", "body": "<html><body><p>quokka marmalade</p></body></html>"}""",
                "00-" + traceId + "-" + crawlerSpan + "-01");
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);

        Map<String, OtlpTraceReceiver.ReceivedSpan> hops = new HashMap<>();
        await().alias("a span of every hop exported").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<OtlpTraceReceiver.ReceivedSpan> trace = receiver.trace(traceId);
            for (String name : List.of("pages.v1 send", "pages.v1 apply", "pages.v1 apply batch", "cdc.pages publish", "cache apply",
                    "search index")) {
                assertThat(trace).as(describe(trace)).anySatisfy(span -> assertThat(span.name()).isEqualTo(name));
            }
            assertThat(server(trace)).as(describe(trace)).isPresent();
        });
        List<OtlpTraceReceiver.ReceivedSpan> trace = receiver.trace(traceId);
        System.out.println("TracingIT: the trace of one POST\n" + describe(trace));
        trace.forEach(span -> hops.putIfAbsent(span.name(), span));
        OtlpTraceReceiver.ReceivedSpan request = server(trace).orElseThrow();

        assertThat(request.service()).isEqualTo("api-service");
        assertThat(request.parentSpanId()).as("the crawler's span is the request's parent").isEqualTo(crawlerSpan);
        assertChild(hops.get("pages.v1 send"), request, "api-service");
        assertChild(hops.get("pages.v1 apply"), hops.get("pages.v1 send"), "ingest-worker");
        assertChild(hops.get("pages.v1 apply batch"), hops.get("pages.v1 send"), "ingest-worker");
        assertThat(hops.get("pages.v1 apply").linkedSpanIds()).as("the page's apply is linked to its batch")
                .contains(hops.get("pages.v1 apply batch").spanId());
        assertChild(hops.get("cdc.pages publish"), hops.get("pages.v1 apply"), "cache-invalidator");
        assertChild(hops.get("cache apply"), hops.get("cdc.pages publish"), "cache-invalidator");
        assertChild(hops.get("search index"), hops.get("cdc.pages publish"), "ingest-worker");
        assertThat(trace).allSatisfy(span -> {
            assertThat(span.endNanos()).as(span.name() + " ended").isGreaterThanOrEqualTo(span.startNanos());
            assertThat(span.parentSpanId().equals(crawlerSpan) || trace.stream().anyMatch(other -> other.spanId().equals(span.parentSpanId())))
                    .as("%s has its parent in the trace", span.name()).isTrue();
        });
    }

    @Test
    void aProblemNamesTheTraceAndTheRequest() throws Exception {
        String traceId = randomHex(16);
        HttpResponse<String> refused = post("{\"url\": \"not a url\"}", "00-" + traceId + "-" + randomHex(8) + "-01");

        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(refused.body()).contains("\"trace_id\":\"" + traceId + "\"").containsPattern("\"request_id\":\"[^\"]+\"");
    }

    @Test
    void aDeadLetterIsLoggedWithTheTraceOfItsRecord() throws Exception {
        String traceId = randomHex(16);
        ProducerRecord<String, byte[]> undecodable = new ProducerRecord<>("pages.v1", "0123456789abcdef0123456789abcdef",
                "not an envelope".getBytes(StandardCharsets.UTF_8));
        undecodable.headers().add("traceparent", ("00-" + traceId + "-" + randomHex(8) + "-01").getBytes(StandardCharsets.US_ASCII));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", connections.kafkaBootstrap()),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(undecodable).get();
        }

        await().alias("the worker's dead-letter line, as JSON, naming the record's trace").atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            String logged;
            synchronized (ingestLogged) {
                logged = ingestLogged.toString(StandardCharsets.UTF_8);
            }
            assertThat(logged.lines().filter(line -> line.contains("Dead letter") && line.contains(traceId)))
                    .singleElement().satisfies(line -> assertThat(line.substring(line.indexOf('{'))).startsWith("{")
                            .contains("\"page_id\":\"0123456789abcdef0123456789abcdef\""));
        });
    }

    private static void assertChild(OtlpTraceReceiver.ReceivedSpan child, OtlpTraceReceiver.ReceivedSpan parent, String service) {
        assertThat(child.parentSpanId()).as("%s follows %s", child.name(), parent.name()).isEqualTo(parent.spanId());
        assertThat(child.service()).as(child.name()).isEqualTo(service);
        // a child starts no earlier than its parent (the change feed's span starts at the commit, in milliseconds)
        assertThat(child.startNanos()).as("%s starts after %s", child.name(), parent.name())
                .isGreaterThanOrEqualTo(parent.startNanos() - 1_000_000);
    }

    private static Optional<OtlpTraceReceiver.ReceivedSpan> server(List<OtlpTraceReceiver.ReceivedSpan> trace) {
        return trace.stream().filter(span -> span.service().equals("api-service") && span.name().startsWith("http post")).findFirst();
    }

    private static String describe(List<OtlpTraceReceiver.ReceivedSpan> trace) {
        StringBuilder tree = new StringBuilder();
        long start = trace.isEmpty() ? 0 : trace.get(0).startNanos();
        for (OtlpTraceReceiver.ReceivedSpan span : trace) {
            tree.append(String.format("  +%8.1f ms %8.1f ms  %-18s %-22s span %s parent %s%n", (span.startNanos() - start) / 1e6,
                    span.duration().toNanos() / 1e6, span.service(), span.name(), span.spanId(), span.parentSpanId()));
        }
        return tree.toString();
    }

    private static HttpResponse<String> post(String json, String traceparent) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/v1/pages"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json").header("traceparent", traceparent)
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    private static Path jar(String module) {
        Path jar = JARS.resolve(module).resolve("target").resolve("sluice-" + module + ".jar");
        assertThat(jar).as("%s (built earlier in the reactor)", jar).isRegularFile();
        return jar;
    }
}
