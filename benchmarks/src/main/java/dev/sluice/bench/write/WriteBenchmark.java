package dev.sluice.bench.write;

import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.Measurement;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.bench.support.Report;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.process.ServiceProcess;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The write path: realistic pages posted to the API (2 KB and 8 KB bodies, batches of 1 and 500, gzip off and
 * on, many connections), against the limit measured in the same run: a raw Kafka producer sending the same
 * envelopes straight to the broker with the same settings (idempotent, acks=all, lz4).
 */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = "Write path: API pages/s, MB/s and ack latency against a raw Kafka producer of the same records.")
public final class WriteBenchmark implements Callable<Integer> {

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds per scenario; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds measured per round (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of warm-up before each scenario (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--jit-warmup", defaultValue = "60",
            description = "Seconds of load before anything is measured, so both JVMs are compiled (default: ${DEFAULT-VALUE}).")
    int jitWarmupSeconds;

    @Option(names = "--body-sizes", split = ",", defaultValue = "2048,8192", description = "Body sizes in bytes (default: ${DEFAULT-VALUE}).")
    List<Integer> bodySizes;

    @Option(names = "--batch-sizes", split = ",", defaultValue = "1,500", description = "Pages per request (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--connections", defaultValue = "64", description = "Concurrent connections for single pages (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--batch-connections", defaultValue = "8", description = "Concurrent connections for batches (default: ${DEFAULT-VALUE}).")
    int batchConnections;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private final RealisticPages pages = new RealisticPages();
    private final Instant fetchedAt = Instant.parse("2026-11-20T10:15:30Z");
    private long pageCounter;

    @Override
    public Integer call() {
        System.out.printf("Write path benchmark: %d round(s) of %d s per scenario, %d s warm-up; bodies %s, batches %s%n",
                rounds, seconds, warmupSeconds, bodySizes, batchSizes);
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            ServiceProcess api = environment.startService("api-service", Map.of());
            String key = environment.createKey();
            warmUp(api.port(), key);
            Report report = new Report();
            for (int bodySize : bodySizes) {
                Measurement.Result raw = Report.median(repeat(() -> rawProducer(environment, bodySize)));
                report.add(raw, null, null);
                for (int batch : batchSizes) {
                    for (boolean gzip : List.of(false, true)) {
                        Measurement.Result http = Report.median(repeat(() -> api(api.port(), key, bodySize, batch, gzip)));
                        report.add(http, raw, "raw producer");
                    }
                }
            }
            report.print(System.out, "pages");
            System.out.println("\nMiB/s counts page JSON as posted (uncompressed); the raw producer's, its envelopes.");
        }
        return 0;
    }

    /** Exercises every code path the scenarios use, unmeasured: on 2 cores, C2 needs tens of seconds. */
    private void warmUp(int port, String key) {
        System.out.printf("Warming up the JVMs for %d s ...%n", jitWarmupSeconds);
        int saved = seconds;
        int savedWarmup = warmupSeconds;
        seconds = 1;
        warmupSeconds = 0;
        long end = System.nanoTime() + Duration.ofSeconds(jitWarmupSeconds).toNanos();
        while (System.nanoTime() < end) {
            for (int batch : batchSizes) {
                for (boolean gzip : List.of(false, true)) {
                    api(port, key, bodySizes.get(0), batch, gzip);
                }
            }
        }
        seconds = saved;
        warmupSeconds = savedWarmup;
    }

    private List<Measurement.Result> repeat(Callable<Measurement.Result> round) {
        List<Measurement.Result> results = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            try {
                Measurement.Result result = round.call();
                System.out.printf("  %-44s round %d: %,10.0f/s  p50 %6.1f ms  p99 %6.1f ms  errors %d%n", result.name(), i + 1,
                        result.perSecond(), result.p50Millis(), result.p99Millis(), result.failures());
                results.add(result);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return results;
    }

    /** The limit: the same envelopes, produced straight to the broker by one producer, as fast as it takes them. */
    private Measurement.Result rawProducer(BenchEnvironment environment, int bodySize) {
        EnvelopeCodec codec = new EnvelopeCodec();
        PageParser parser = new PageParser(PageLimits.DEFAULTS);
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (String json : pages.pages(nextPages(2000), 2000, bodySize, fetchedAt)) {
            PageEnvelope envelope = PageEnvelope.upsert(parser.parse(Json.mapper().readTree(json)), Instant.now(), "bench");
            records.add(new ProducerRecord<>(Topics.PAGES, envelope.id(), codec.encode(envelope)));
        }
        Map<String, Object> config = new HashMap<>(environment.kafkaClient());
        config.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 64L * 1024 * 1024,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            produceFor(producer, records, Duration.ofSeconds(warmupSeconds), new Measurement());
            Measurement measurement = new Measurement();
            measurement.start();
            produceFor(producer, records, Duration.ofSeconds(seconds), measurement);
            producer.flush();
            measurement.stop();
            return measurement.result(String.format("raw producer, %d B bodies", bodySize));
        }
    }

    private static void produceFor(KafkaProducer<String, byte[]> producer, List<ProducerRecord<String, byte[]>> records,
            Duration duration, Measurement measurement) {
        long end = System.nanoTime() + duration.toNanos();
        for (int i = 0; System.nanoTime() < end; i++) {
            ProducerRecord<String, byte[]> record = records.get(i % records.size());
            long started = System.nanoTime();
            producer.send(record, (metadata, error) -> {
                if (error == null) {
                    measurement.success(1, record.value().length, System.nanoTime() - started);
                } else {
                    measurement.failure();
                }
            });
        }
        producer.flush();
    }

    private Measurement.Result api(int port, String key, int bodySize, int batch, boolean gzip) {
        int concurrency = batch == 1 ? connections : batchConnections;
        String path = batch == 1 ? "/v1/pages" : "/v1/pages/batch";
        String contentType = batch == 1 ? "application/json" : "application/x-ndjson";
        List<byte[]> bodies = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        int distinct = batch == 1 ? 2000 : 16;
        for (int i = 0; i < distinct; i++) {
            String body = String.join("\n", pages.pages(nextPages(batch), batch, bodySize, fetchedAt));
            byte[] raw = body.getBytes(StandardCharsets.UTF_8);
            sizes.add(raw.length);
            bodies.add(gzip ? gzip(raw) : raw);
        }
        ConnectionProvider pool = ConnectionProvider.builder("bench").maxConnections(concurrency).pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port).headers(headers -> {
            headers.set("Authorization", "Bearer " + key);
            headers.set("Content-Type", contentType);
            if (gzip) {
                headers.set("Content-Encoding", "gzip");
            }
        });
        try {
            load(client, path, bodies, sizes, batch, concurrency, Duration.ofSeconds(warmupSeconds), new Measurement());
            Measurement measurement = new Measurement();
            measurement.start();
            load(client, path, bodies, sizes, batch, concurrency, Duration.ofSeconds(seconds), measurement);
            measurement.stop();
            return measurement.result(String.format("API, %d B bodies, batch %d%s", bodySize, batch, gzip ? ", gzip" : ""));
        } finally {
            pool.dispose();
        }
    }

    private static void load(HttpClient client, String path, List<byte[]> bodies, List<Integer> sizes, int pagesPerRequest,
            int concurrency, Duration duration, Measurement measurement) {
        long end = System.nanoTime() + duration.toNanos();
        AtomicInteger next = new AtomicInteger();
        Flux.range(0, concurrency)
                .flatMap(worker -> Mono.defer(() -> {
                    int i = Math.floorMod(next.getAndIncrement(), bodies.size());
                    long started = System.nanoTime();
                    return client.post().uri(path)
                            .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(bodies.get(i))))
                            .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
                            .doOnNext(status -> {
                                if (status == 202) {
                                    measurement.success(pagesPerRequest, sizes.get(i), System.nanoTime() - started);
                                } else {
                                    measurement.failure();
                                }
                            })
                            .onErrorResume(e -> {
                                measurement.failure();
                                return Mono.empty();
                            });
                }).repeat(() -> System.nanoTime() < end), concurrency)
                .blockLast();
    }

    private long nextPages(int count) {
        long first = pageCounter;
        pageCounter += count;
        return first;
    }

    private static byte[] gzip(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4);
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 1 << 16)) {
            gzip.write(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
