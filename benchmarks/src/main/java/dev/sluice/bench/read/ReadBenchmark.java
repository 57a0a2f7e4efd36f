package dev.sluice.bench.read;

import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.Measurement;
import dev.sluice.bench.support.PrometheusScrape;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.bench.support.Report;
import dev.sluice.bench.support.SluiceJar;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.FreePorts;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./sluice bench read}: cache hits of {@code GET /v1/pages/{id}} against the floor measured in the same run
 * (a minimal WebFlux handler doing one Lettuce GET of the same bytes), at a fixed rate for the latency aim, the miss
 * path (PostgreSQL), and a 95/5 read/write mix with the whole pipeline running.
 */
@Command(name = "read", mixinStandardHelpOptions = true,
        description = "Reads: cache hits against a one-GET floor, a fixed rate, the miss path, and a 95/5 read/write mix.")
public final class ReadBenchmark implements Callable<Integer> {

    @Option(names = "--pages", defaultValue = "20000", description = "Pages stored and read (default: ${DEFAULT-VALUE}).")
    int pageCount;

    @Option(names = "--miss-pages", defaultValue = "30000",
            description = "Further pages, never cached before a miss run reads them, each once (default: ${DEFAULT-VALUE}).")
    int missPageCount;

    @Option(names = "--body-size", defaultValue = "2048", description = "Body size in bytes (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(names = "--connections", defaultValue = "64", description = "Keep-alive connections of the closed-loop load (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--rate", defaultValue = "10000",
            description = "Requests per second of the fixed-rate run, at most half the measured flat-out hit rate (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "10", description = "Seconds per measured run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "15", description = "Seconds of warm-up before each scenario (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--rounds", defaultValue = "3", description = "Rounds; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    /** The JIT is warm from the hit runs by then; a short warm-up leaves more never-read pages for the measured run. */
    private static final int MISS_WARMUP_SECONDS = 3;

    private final RealisticPages pages = new RealisticPages();
    private final List<String> ids = new ArrayList<>();
    private final List<String> missIds = new ArrayList<>();
    private Path missIdsFile;
    private Wrk wrk;
    private Path idsFile;
    private Path bodiesFile;

    @Override
    public Integer call() throws Exception {
        Report report = new Report();
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            environment.createTopicIfAbsent(Topics.PAGES);
            String key = environment.createKey();
            seed(environment, 0, pageCount, ids);
            seed(environment, pageCount, missPageCount, missIds);
            wrk = Wrk.find(environment.directory());
            System.out.println(wrk != null ? "load: wrk (closed loop; paced for the fixed rate)"
                    : "load: a JVM client (install Debian's wrk for figures that measure the server rather than the client)");
            idsFile = environment.directory().resolve("ids.txt");
            Wrk.writeLines(idsFile, ids);
            missIdsFile = environment.directory().resolve("miss-ids.txt");
            Wrk.writeLines(missIdsFile, missIds);
            bodiesFile = environment.directory().resolve("bodies.ndjson");
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < pageCount; i++) { // newer than the seeded pages, so each write changes its page
                bodies.add(pages.page(i, bodySize, Instant.parse("2026-11-21T00:00:00Z").plusSeconds(i)));
            }
            Wrk.writeLines(bodiesFile, bodies);

            ServiceProcess api = environment.startService("api-service", Map.of());
            int floorPort = FreePorts.pick();
            Process floor = startFloor(floorPort, environment.connections().redisUrl());
            try {
                copyAnswersToTheFloor(api.port(), environment.connections().redisUrl());
                List<Measurement.Result> floorRounds = new ArrayList<>();
                List<Measurement.Result> hitRounds = new ArrayList<>();
                List<Measurement.Result> fixedRounds = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    floorRounds.add(closedLoop(floorPort, null, "floor: one Lettuce GET in WebFlux", n -> HttpLoad.Request.get("/floor/" + id(n)),
                            Wrk.Load.gets(idsFile, "/floor/")));
                    hitRounds.add(watched(api.managementPort(), () -> closedLoop(api.port(), null, "API cache hit, GET /v1/pages/{id}",
                            n -> HttpLoad.Request.get("/v1/pages/" + id(n)), Wrk.Load.gets(idsFile, "/v1/pages/"))));
                    // A fixed rate the server can sustain: the aim's 10,000 req/s, or half of what it just answered flat out.
                    int sustainable = (int) Math.min(rate, hitRounds.get(round - 1).perSecond() / 2);
                    fixedRounds.add(watched(api.managementPort(), () -> fixedRate(api.port(), sustainable)));
                    System.out.printf("round %d: floor %.0f req/s, API hits %.0f req/s (p99 %.1f ms), fixed rate p99 %.1f ms%n", round,
                            floorRounds.get(round - 1).perSecond(), hitRounds.get(round - 1).perSecond(), hitRounds.get(round - 1).p99Millis(),
                            fixedRounds.get(round - 1).p99Millis());
                }
                Measurement.Result floorMedian = Report.median(floorRounds);
                report.add(floorMedian, null, null);
                report.add(Report.median(hitRounds), floorMedian, "floor");
                report.add(Report.median(fixedRounds), null, null);
            } finally {
                floor.destroy();
            }

            // The miss path: pages never read before (their cache entries dropped before each run), so every read
            // looks up Redis, takes the page's read lease, reads PostgreSQL and fills the cache, as a real miss does.
            List<Measurement.Result> missRounds = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                missRounds.add(watched(api.managementPort(), () -> missLoop(api.port(), environment.connections().redisUrl())));
                System.out.printf("round %d: misses %.0f req/s%n", round, missRounds.get(round - 1).perSecond());
            }
            report.add(Report.median(missRounds), null, null);

            // 95/5: reads of cached pages while 5% of requests rewrite pages through the whole pipeline.
            // The same (warm) API: a freshly started JVM would measure its JIT, not the mix.
            ServiceProcess mixApi = api;
            environment.startService("ingest-worker", Map.of());
            environment.startService("cache-invalidator", Map.of("SLUICE_INVALIDATOR_STATEDIR", environment.directory().resolve("streams").toString()));
            AtomicLong fetch = new AtomicLong(Instant.now().minus(Duration.ofDays(1)).toEpochMilli()); // 1 ms apart, never ahead of now
            List<Measurement.Result> mixRounds = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                mixRounds.add(watched(mixApi.managementPort(), () -> closedLoop(mixApi.port(), key, "API 95% GET / 5% POST, pipeline running", n -> n % 20 == 0
                        ? new HttpLoad.Request("/v1/pages", pages.page(Math.floorMod(n * 31, pageCount), bodySize,
                                Instant.ofEpochMilli(fetch.incrementAndGet())).getBytes(StandardCharsets.UTF_8), 202)
                        : HttpLoad.Request.get("/v1/pages/" + id(n)), new Wrk.Load(idsFile, "/v1/pages/", false, 20, bodiesFile, key, 0))));
                System.out.printf("round %d: mix %.0f req/s (p99 %.1f ms)%n", round, mixRounds.get(round - 1).perSecond(), mixRounds.get(round - 1).p99Millis());
            }
            report.add(Report.median(mixRounds), null, null);
        }
        report.print(System.out, "req");
        return 0;
    }

    /**
     * Runs a scenario and prints where the API's answers came from meanwhile (its own metrics): a cache-hit figure
     * is only honest if the reads really were hits, not reads degraded to PostgreSQL.
     */
    private Measurement.Result watched(int managementPort, java.util.function.Supplier<Measurement.Result> scenario) {
        PrometheusScrape before = scrape(managementPort);
        Measurement.Result result = scenario.get();
        PrometheusScrape after = scrape(managementPort);
        System.out.printf("  %s: %.0f req/s, p50 %.2f ms, p99 %.2f ms, %d failed; API meanwhile: %.0f hits, %.0f database reads, "
                        + "Redis calls degraded: %.0f timed out, %.0f failed, %.0f skipped by the open breaker%n",
                result.name(), result.perSecond(), result.p50Millis(), result.p99Millis(), result.failures(),
                delta(before, after, "sluice_api_cache_lookups_total", "result=\"hit\""), delta(before, after, "sluice_api_database_reads_total", ""),
                delta(before, after, "sluice_api_read_degraded_total", "reason=\"timeout\""),
                delta(before, after, "sluice_api_read_degraded_total", "reason=\"error\""),
                delta(before, after, "sluice_api_read_degraded_total", "reason=\"breaker-open\""));
        return result;
    }

    private static double delta(PrometheusScrape before, PrometheusScrape after, String counter, String label) {
        return after.counter(counter, label) - before.counter(counter, label);
    }

    private static PrometheusScrape scrape(int port) {
        try {
            return PrometheusScrape.of(port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String id(long n) {
        return ids.get((int) Math.floorMod(n * 7919, (long) ids.size()));
    }

    /** Misses: a short warm-up and the measured run, each over pages whose cache entries were just dropped. */
    private Measurement.Result missLoop(int port, String redisUrl) {
        String name = "API cache miss (PostgreSQL), GET /v1/pages/{id}";
        Duration warmup = Duration.ofSeconds(MISS_WARMUP_SECONDS);
        Runnable dropEntries = () -> uncache(redisUrl, missIds);
        dropEntries.run();
        if (wrk != null) {
            return wrk.warmThenRun(name, port, connections, warmup, Duration.ofSeconds(seconds), Wrk.Load.eachOnce(missIdsFile, "/v1/pages/"), dropEntries);
        }
        try (HttpLoad load = new HttpLoad(port, connections, null)) {
            return warmThenMeasure(name, warmup, dropEntries, (duration, measurement) -> load.closedLoop(connections, duration,
                    n -> HttpLoad.Request.get("/v1/pages/" + missIds.get((int) (n % missIds.size()))), measurement));
        }
    }

    /** Drops the pages' cache entries (as a flush would), so that the next read of each is a miss. */
    private static void uncache(String redisUrl, List<String> pageIds) {
        RedisKeys keys = RedisKeys.defaults();
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            for (int first = 0; first < pageIds.size(); first += 1000) {
                redis.sync().del(pageIds.subList(first, Math.min(pageIds.size(), first + 1000)).stream().map(keys::page).toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    /** With wrk when it is installed (a C client leaves the server the CPU), else with {@link HttpLoad}. */
    private Measurement.Result closedLoop(int port, String key, String name, java.util.function.LongFunction<HttpLoad.Request> requests,
            Wrk.Load wrkLoad) {
        Duration warmup = Duration.ofSeconds(warmupSeconds);
        if (wrk != null) {
            return wrk.warmThenRun(name, port, connections, warmup, Duration.ofSeconds(seconds), wrkLoad, () -> {});
        }
        try (HttpLoad load = new HttpLoad(port, connections, key)) {
            return warmThenMeasure(name, warmup, () -> {}, (duration, measurement) -> load.closedLoop(connections, duration, requests, measurement));
        }
    }

    /**
     * About {@code perSecond} cache hits. With wrk: paced connections (each pauses after an answer), which keeps the
     * client cheap but lets a slow answer delay the next request of its connection (some coordinated omission).
     * Without wrk: a true open loop in this JVM, whose own CPU then competes with the server.
     */
    private Measurement.Result fixedRate(int port, int perSecond) {
        String name = "API cache hit, paced at half the flat-out rate";
        Duration warmup = Duration.ofSeconds(warmupSeconds);
        if (wrk != null) {
            return wrk.warmThenRun(name, port, connections, warmup, Duration.ofSeconds(seconds),
                    Wrk.Load.gets(idsFile, "/v1/pages/").paced(connections, perSecond), () -> {});
        }
        try (HttpLoad load = new HttpLoad(port, 512, null)) {
            return warmThenMeasure(name, warmup, () -> {}, (duration, measurement) -> load.fixedRate(perSecond, duration,
                    n -> HttpLoad.Request.get("/v1/pages/" + id(n)), measurement));
        }
    }

    /** A warm-up run (not recorded), then {@code beforeMeasuring}, then the measured run of {@code --duration}. */
    private Measurement.Result warmThenMeasure(String name, Duration warmup, Runnable beforeMeasuring,
            java.util.function.BiConsumer<Duration, Measurement> load) {
        load.accept(warmup, new Measurement());
        beforeMeasuring.run();
        Measurement measurement = new Measurement();
        measurement.start();
        load.accept(Duration.ofSeconds(seconds), measurement);
        measurement.stop();
        return measurement.result(name);
    }

    /** Pages as the worker stores them, in batches of 1,000. */
    private void seed(BenchEnvironment environment, int from, int count, List<String> into) throws SQLException {
        String sql = """
                INSERT INTO pages (id, url, site, title, body_zstd, content_type, status, fetched_at, metadata, version, source_partition,
                                   source_offset)
                SELECT id, url, site, title, body_zstd, 'text/html', 200, '2026-11-20T10:00:00Z', '{"crawler":"bench"}', 1, 0, 0
                FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[]) AS t(id, url, site, title, body_zstd)
                ON CONFLICT (id) DO NOTHING""";
        try (Connection db = environment.dataSource().getConnection(); PreparedStatement insert = db.prepareStatement(sql);
                StoredBody.Compressor compressor = StoredBody.compressor()) {
            for (int first = from; first < from + count; first += 1000) {
                int batch = Math.min(1000, from + count - first);
                String[][] columns = new String[4][batch];
                byte[][] bodies = new byte[batch][];
                for (int i = 0; i < batch; i++) {
                    RealisticPages.Fields fields = pages.fields(first + i, bodySize);
                    PageUrl url = PageUrl.parse(fields.url());
                    columns[0][i] = url.id();
                    columns[1][i] = url.normalized();
                    columns[2][i] = url.site();
                    columns[3][i] = fields.title();
                    bodies[i] = compressor.compress(fields.body());
                    into.add(url.id());
                }
                for (int c = 0; c < 4; c++) {
                    insert.setArray(c + 1, db.createArrayOf("text", columns[c]));
                }
                insert.setArray(5, db.createArrayOf("bytea", bodies));
                insert.executeUpdate();
                System.out.printf("\rseeding pages: %,d / %,d", first + batch - from, count);
            }
            System.out.println();
        }
    }

    private Process startFloor(int port, String redisUrl) throws IOException {
        List<String> command = SluiceJar.mainClass(home, ServiceProcess.THROUGHPUT_JVM, FloorServer.class, Integer.toString(port), redisUrl);
        Process floor = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/floor/none")).build(), HttpResponse.BodyHandlers.discarding());
                return floor;
            } catch (IOException e) {
                java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the floor server did not start");
    }

    /** Reads every page once through the API (filling its cache), and gives the floor the same bytes to serve. */
    private void copyAnswersToTheFloor(int apiPort, String redisUrl) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> redis = client.connect()) {
            for (int i = 0; i < ids.size(); i++) {
                String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/pages/" + ids.get(i))).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                redis.async().set("floor:" + ids.get(i), body);
                if (i % 1000 == 999) {
                    System.out.printf("\rwarming the cache: %,d / %,d", i + 1, ids.size());
                }
            }
            System.out.println();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            client.shutdown();
        }
    }
}
