package dev.sluice.bench.invalidation;

import dev.sluice.bench.support.ActuatorMetrics;
import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.CpuUsage;
import dev.sluice.bench.support.PrometheusScrape;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.bench.support.SluiceJar;
import dev.sluice.bench.support.ThreadCpu;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.process.ServiceProcess;
import io.netty.buffer.Unpooled;
import io.netty.handler.timeout.ReadTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * {@code ./sluice bench invalidation}: a sustained write load through the whole pipeline (API, Kafka, worker,
 * PostgreSQL, Debezium, Kafka Streams, Redis) at a fixed rate of changed rows, with readers filling the cache; the
 * invalidation lag (commit to Redis) p50/p99 and events/s from the invalidator's own histogram, then, once the writes
 * are applied, how many cached entries the consistency checker finds stale and how soon it finds none.
 */
@Command(name = "invalidation", mixinStandardHelpOptions = true,
        description = "Cache invalidation under a sustained write load: lag p50/p99, events/s, stale entries after the load.")
public final class InvalidationBenchmark implements Callable<Integer> {

    /** Where the changed rows come from. */
    enum Source { api, sql }

    @Option(names = "--source", defaultValue = "api",
            description = "api: posted to the API, applied by the worker (the whole pipeline); sql: written straight into pages "
                    + "by SQL, no worker (the change feed's load alone; the API still serves the reads). Default: ${DEFAULT-VALUE}.")
    Source source;

    @Option(names = "--rate", defaultValue = "5000", description = "Changed rows per second (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--duration", defaultValue = "60", description = "Seconds of measured load (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "60",
            description = "Seconds of load before the pause that lets every stage catch up, then the measured load (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--pages", defaultValue = "20000", description = "Distinct pages rewritten in turn (default: ${DEFAULT-VALUE}).")
    int pageCount;

    @Option(names = "--reads", defaultValue = "2000", description = "Reads per second filling the cache meanwhile (default: ${DEFAULT-VALUE}).")
    int readRate;

    @Option(names = "--body-size", defaultValue = "2048", description = "Body size in bytes (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(names = "--invalidator-threads", defaultValue = "2",
            description = "Kafka Streams threads of the invalidator (sluice.invalidator.threads; default: ${DEFAULT-VALUE}).")
    int invalidatorThreads;

    @Option(names = "--access-log", description = "Have the API log every answer (Reactor Netty's access log) in .sluice/bench-logs/api-service.log, "
            + "to look up the requests listed as unanswered: each carries its number in its query (?w=N, ?r=N).")
    boolean accessLog;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private static final int BATCH = 100;
    /** The invalidator's Kafka Streams group (its default application id) and its input. */
    private static final String TOPOLOGY_GROUP = "sluice-cache-invalidator";
    private static final String CDC_TOPIC = Topics.CDC_PAGES;
    private final RealisticPages pages = new RealisticPages();

    @Override
    public Integer call() throws Exception {
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            environment.createTopicIfAbsent(Topics.PAGES);
            String key = environment.createKey();
            ServiceProcess api = environment.startService("api-service",
                    accessLog ? Map.of("JAVA_TOOL_OPTIONS", "-Dreactor.netty.http.server.accessLogEnabled=true") : Map.of());
            ServiceProcess worker = source == Source.api ? environment.startService("ingest-worker", Map.of()) : null;
            Map<String, String> invalidatorEnvironment = new HashMap<>(ActuatorMetrics.EXPOSE);
            invalidatorEnvironment.put("SLUICE_INVALIDATOR_STATEDIR", environment.directory().resolve("streams").toString());
            invalidatorEnvironment.put("SLUICE_INVALIDATOR_THREADS", Integer.toString(invalidatorThreads));
            ServiceProcess invalidator = environment.startService("cache-invalidator", invalidatorEnvironment);
            List<String> ids = new ArrayList<>();
            for (int n = 0; n < pageCount; n++) {
                ids.add(PageUrl.parse(pages.fields(n, bodySize).url()).id());
            }

            ConnectionProvider pool = ConnectionProvider.builder("invalidation-bench").maxConnections(256).pendingAcquireMaxCount(-1).build();
            // A request unanswered in 10 s counts as unanswered (and frees its slot) instead of stopping the load.
            HttpClient http = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + api.port()).responseTimeout(Duration.ofSeconds(10));
            Map<String, AtomicLong> failures = new ConcurrentSkipListMap<>(); // by status or error
            Queue<String> unanswered = new ConcurrentLinkedQueue<>(); // requests with no answer in 10 s, by their number
            AtomicLong written = new AtomicLong();
            AtomicLong accepted = new AtomicLong();
            // Every write fetched 1 ms after the previous one, from a day ago: each is a change (newer wins), and none lies
            // in the future (a fixed start 1 s apart ran past the API's clock-skew limit: whole batches refused, 400).
            AtomicLong fetch = new AtomicLong(Instant.now().minus(Duration.ofDays(1)).toEpochMilli());
            Callable<AutoCloseable> startWrites = () -> source == Source.sql
                    ? SqlWrites.start(environment.dataSource(), pages, ids, bodySize, rate, BATCH, written, fetch, accepted, failures)
                    : Flux.interval(Duration.ofNanos(1_000_000_000L * BATCH / rate))
                    .onBackpressureDrop()
                    .flatMap(tick -> {
                        long first = written.getAndAdd(BATCH);
                        StringBuilder body = new StringBuilder();
                        for (long n = first; n < first + BATCH; n++) {
                            body.append(pages.page(n % pageCount, bodySize, Instant.ofEpochMilli(fetch.incrementAndGet()))).append('\n');
                        }
                        return http.headers(h -> h.set("Authorization", "Bearer " + key).set("Content-Type", "application/x-ndjson"))
                                .post().uri("/v1/pages/batch?w=" + first / BATCH)
                                .send(Mono.just(Unpooled.wrappedBuffer(body.toString().getBytes(StandardCharsets.UTF_8))))
                                .responseSingle((response, content) -> response.status().code() == 202
                                        ? content.then(Mono.just("202"))
                                        : content.asString().defaultIfEmpty("").map(problem -> "HTTP " + response.status().code() + " "
                                                + problem.substring(0, Math.min(160, problem.length()))))
                                .doOnNext(status -> {
                                    if (status.equals("202")) {
                                        accepted.addAndGet(BATCH);
                                    } else {
                                        failures.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                                    }
                                })
                                .onErrorResume(e -> {
                                    failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
                                    if (e instanceof ReadTimeoutException) {
                                        unanswered.add("w=" + first / BATCH);
                                    }
                                    return Mono.empty();
                                });
                    }, 64)
                    .subscribe()::dispose;
            AtomicLong reads = new AtomicLong();
            Map<String, AtomicLong> readOutcomes = new ConcurrentSkipListMap<>(); // by status or error
            Disposable readers = Flux.interval(Duration.ofNanos(1_000_000_000L / readRate))
                    .onBackpressureDrop()
                    .flatMap(tick -> http.get().uri("/v1/pages/" + ids.get((int) Math.floorMod(tick * 7919, (long) pageCount)) + "?r=" + tick)
                            .responseSingle((response, content) -> content.then(Mono.just(Integer.toString(response.status().code()))))
                            .onErrorResume(e -> {
                                if (e instanceof ReadTimeoutException) {
                                    unanswered.add("r=" + tick);
                                }
                                return Mono.just(e.getClass().getSimpleName());
                            })
                            .doOnNext(outcome -> {
                                reads.incrementAndGet();
                                readOutcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
                            }), 128)
                    .subscribe();

            CpuUsage.Parts machine = new CpuUsage.Parts().process("api", api.pid());
            if (worker != null) {
                machine.process("worker", worker.pid());
            }
            machine.process("invalidator", invalidator.pid()).self("load+kafka")
                    .command("postgres", "postgres", environment.directory().toString())
                    .command("redis", "redis-server", Integer.toString(URI.create(environment.connections().redisUrl()).getPort()));

            // Warm-up, then a pause until every stage has caught up: the JVMs compile their hot code under the load (the
            // JIT took a third of the invalidator's CPU for minutes), and the measured load starts with nothing behind.
            AutoCloseable writes = startWrites.call();
            progress("warm-up", warmupSeconds, accepted, invalidator, environment);
            writes.close();
            awaitWorker(accepted, environment);
            Drain capacity = drain("settling: the invalidator catching up", invalidator, environment);
            writes = startWrites.call();
            WalDecodingLimit limit = WalDecodingLimit.startingNow(environment.connections());
            CpuUsage cpuBefore = machine.read();
            ThreadCpu invalidatorBefore = ThreadCpu.of(invalidator.pid(), ThreadCpu.JVM);
            PrometheusScrape before = scrape(invalidator);
            long acceptedBefore = accepted.get();
            long started = System.nanoTime();
            progress("measured load", seconds, accepted, invalidator, environment);
            PrometheusScrape after = scrape(invalidator);
            CpuUsage cpuAfter = machine.read();
            ThreadCpu invalidatorAfter = ThreadCpu.of(invalidator.pid(), ThreadCpu.JVM);
            PrometheusScrape apiSide = PrometheusScrape.of(api.managementPort(), "http_server_requests_seconds", "http_server_requests_seconds_max");
            double elapsed = (System.nanoTime() - started) / 1e9;
            long acceptedDuring = accepted.get() - acceptedBefore;
            writes.close();
            readers.dispose();

            Duration catchUp = awaitWorker(accepted, environment);
            Drain drain = drain("the invalidator catching up", invalidator, environment);
            CpuUsage cpuDrained = machine.read();
            ThreadCpu invalidatorDrained = ThreadCpu.of(invalidator.pid(), ThreadCpu.JVM);
            PrometheusScrape drained = scrape(invalidator);
            Instant quiet = Instant.now();
            List<String> checks = new ArrayList<>();
            long stale;
            do {
                Instant at = Instant.now();
                stale = check(environment);
                checks.add(String.format("+%.1f s: %d stale", Duration.between(quiet, at).toMillis() / 1000.0, stale));
            } while (stale > 0 && Duration.between(quiet, Instant.now()).toSeconds() < 60);
            pool.dispose();
            WalDecodingLimit.Result decoding;
            try (limit) {
                decoding = limit.read(); // the machine is quiet now: the limit of reading these changes from the WAL
            }

            TreeMap<Double, Double> lagBefore = before.buckets("sluice_invalidator_lag_seconds");
            TreeMap<Double, Double> lagAfter = after.buckets("sluice_invalidator_lag_seconds");
            double events = after.counter("sluice_invalidator_pages_total") - before.counter("sluice_invalidator_pages_total");
            System.out.printf("%n%-52s %s%n", "invalidation under load", source == Source.api ? "(whole pipeline)"
                    : "(rows written by SQL, no worker: the change feed's load alone)");
            System.out.printf("%-52s %,.0f rows/s (aim %,d)%n", "changed rows accepted during the measured load", acceptedDuring / elapsed, rate);
            System.out.printf("%-52s %,.0f events/s%n", "change events applied to Redis", events / elapsed);
            System.out.printf("%-52s %s%n", "cores used during the measured load", cpuAfter.coresSince(cpuBefore, Duration.ofNanos((long) (elapsed * 1e9))));
            double changes = drained.counter("sluice_invalidator_pages_total") - before.counter("sluice_invalidator_pages_total");
            System.out.printf("%-52s %,.0f µs (%,.0f changes from the measured load's start until caught up)%n",
                    "invalidator CPU per change (Debezium to Redis)",
                    cpuDrained.since(cpuBefore).get("invalidator").toNanos() / 1e3 / Math.max(1, changes), changes);
            System.out.printf("%-52s %s under load; %s catching up%n", "invalidator CPU by threads", invalidatorAfter.sharesSince(invalidatorBefore),
                    invalidatorDrained.sharesSince(invalidatorAfter));
            System.out.printf("%-52s p50 <= %.3f s, p99 <= %.3f s (histogram bucket bounds)%n", "invalidation lag, commit to Redis",
                    PrometheusScrape.quantile(lagBefore, lagAfter, 0.50), PrometheusScrape.quantile(lagBefore, lagAfter, 0.99));
            System.out.printf("%-52s %,d: %s%n", "reads meanwhile (warm-up included), by outcome", reads.get(), readOutcomes);
            System.out.printf("%-52s %,d%s%n", "requests unanswered in 10 s (warm-up included)", unanswered.size(),
                    unanswered.isEmpty() ? "" : ", the first: " + unanswered.stream().limit(20).toList());
            System.out.printf("%-52s %s%n", "writes not accepted (for the API, unanswered in 10 s is a timeout)", failures.isEmpty() ? "none" : failures);
            if (source == Source.api) {
                System.out.printf("%-52s %,.0f sent, %,.0f answered by the API, slowest %.1f s (its last 2 minutes)%n", "batch requests",
                        written.get() / (double) BATCH, apiSide.counter("http_server_requests_seconds_count", "uri=\"/v1/pages/batch\""),
                        apiSide.max("http_server_requests_seconds_max", "uri=\"/v1/pages/batch\""));
                System.out.printf("%-52s %.1f s%n", "worker caught up after the load stopped", catchUp.toMillis() / 1000.0);
            }
            System.out.printf("%-52s %.1f s later, %,d events%n", "invalidator caught up after the measured load",
                    drain.took().toMillis() / 1000.0, drain.events());
            System.out.printf("%-52s a median %,.0f events/s (peak %,.0f), %,d events in %.1f s%n",
                    "its capacity (the warm-up's backlog, load stopped)", capacity.medianRate(), capacity.peakRate(), capacity.events(),
                    capacity.took().toMillis() / 1000.0);
            System.out.printf("%-52s %s%n", "consistency checks after the writes were applied", String.join(", ", checks));
            System.out.printf("%-52s %,.0f changes/s (%,d changes from the measured load's start in %.1f s)%n",
                    "limit: WAL decoding alone (bare pgoutput reader, quiet)", decoding.rate(), decoding.changes(),
                    decoding.took().toMillis() / 1000.0);
            System.out.printf("%-52s %.2fx under load, %.2fx its capacity%n", "invalidator / that limit", events / elapsed / decoding.rate(),
                    capacity.medianRate() / decoding.rate());
        }
        return 0;
    }

    /**
     * Once a second: rows accepted, and where the invalidator stands (change events published to cdc.pages and applied
     * to Redis in the last second, what its topology has not committed yet, the WAL its slot holds back), so a
     * falling-behind stage shows itself.
     */
    private static void progress(String phase, int seconds, AtomicLong accepted, ServiceProcess invalidator, BenchEnvironment environment)
            throws Exception {
        long start = accepted.get();
        long begun = System.nanoTime();
        long deadline = begun + seconds * 1_000_000_000L;
        Reading last = Reading.of(invalidator);
        while (System.nanoTime() < deadline) {
            Thread.sleep(Math.max(1, Math.min(1000, (deadline - System.nanoTime()) / 1_000_000))); // progress once a second
            Reading now = Reading.of(invalidator);
            double interval = (now.at - last.at) / 1e9;
            double elapsed = (now.at - begun) / 1e9;
            System.out.printf("\r%s: %.0f / %d s, %,d rows accepted (%,.0f/s); invalidator: %,.0f published/s, %,.0f applied/s, %,d not yet applied, slot lag %,.1f MB, Debezium %,.1f s behind, queue %,.0f free   ",
                    phase, elapsed, seconds, accepted.get() - start, (accepted.get() - start) / elapsed,
                    (now.published - last.published) / interval, (now.applied - last.applied) / interval,
                    environment.groupBacklog(TOPOLOGY_GROUP, CDC_TOPIC), now.slotLagBytes / 1e6, now.behindMillis / 1000, now.queueFree);
            last = now;
        }
        System.out.println();
    }

    /** The invalidator's progress figures, read one meter at a time (a full scrape every second would cost it 14 % CPU). */
    private record Reading(long at, double published, double applied, double slotLagBytes, double behindMillis, double queueFree) {
        static Reading of(ServiceProcess invalidator) throws Exception {
            ActuatorMetrics metrics = new ActuatorMetrics(invalidator.port());
            return new Reading(System.nanoTime(), metrics.count("sluice.cdc.events"), metrics.count("sluice.invalidator.pages"),
                    metrics.value("sluice.cdc.slot.lag"), metrics.value("sluice.cdc.behind.source"), metrics.value("sluice.cdc.queue.remaining"));
        }
    }

    /** The invalidator's lag histogram and its count of applied changes (three scrapes a run). */
    private static PrometheusScrape scrape(ServiceProcess invalidator) throws Exception {
        return PrometheusScrape.of(invalidator.port(), "sluice_invalidator_pages_total", "sluice_invalidator_lag_seconds");
    }

    record Drain(Duration took, long events, double medianRate, double peakRate) {}

    /**
     * After the worker caught up: waits until the invalidator has applied everything (its topology's backlog empty and
     * nothing applied for two seconds), reporting its rate each second meanwhile: with the load stopped, that rate is
     * the invalidator's own capacity on this machine.
     */
    private static Drain drain(String label, ServiceProcess invalidator, BenchEnvironment environment) throws Exception {
        Instant begun = Instant.now();
        Reading first = Reading.of(invalidator);
        Reading last = first;
        List<Double> rates = new ArrayList<>();
        int idle = 0;
        while (idle < 2 && Duration.between(begun, Instant.now()).toMinutes() < 5) {
            Thread.sleep(1000); // progress once a second
            Reading now = Reading.of(invalidator);
            double applied = (now.applied - last.applied) / ((now.at - last.at) / 1e9);
            long backlog = environment.groupBacklog(TOPOLOGY_GROUP, CDC_TOPIC);
            idle = applied == 0 && backlog == 0 ? idle + 1 : 0;
            if (applied > 0) {
                rates.add(applied);
            }
            System.out.printf("\r%s: %,.0f applied/s, %,d not yet applied   ", label, applied, backlog);
            last = now;
        }
        System.out.println();
        Collections.sort(rates);
        return new Drain(Duration.between(begun, Instant.now()).minusSeconds(2), (long) (last.applied - first.applied),
                rates.isEmpty() ? 0 : rates.get(rates.size() / 2), rates.isEmpty() ? 0 : rates.get(rates.size() - 1));
    }

    /** Until the worker has applied every accepted write (at once for rows written by SQL); how long that took. */
    private Duration awaitWorker(AtomicLong accepted, BenchEnvironment environment) throws Exception {
        Instant stopped = Instant.now();
        try (Connection db = environment.dataSource().getConnection()) {
            long behind;
            while (source == Source.api && (behind = accepted.get() - applied(db)) > 0) {
                if (Duration.between(stopped, Instant.now()).toMinutes() >= 5) {
                    throw new IllegalStateException(behind + " accepted writes still unapplied 5 minutes after the load stopped");
                }
                System.out.printf("\rthe worker catching up: %,d accepted writes to apply   ", behind);
                Thread.sleep(50); // poll
            }
        }
        System.out.println();
        return Duration.between(stopped, Instant.now());
    }

    private static long applied(Connection db) throws Exception {
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT coalesce(sum(next_offset), 0) FROM consumer_positions WHERE consumer_group = 'ingest'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** {@code sluice cache check}, as an operator runs it; the number of stale entries it reports. */
    private long check(BenchEnvironment environment) throws Exception {
        ProcessBuilder command = new ProcessBuilder(SluiceJar.command(home, List.of(), "cache", "check")).redirectErrorStream(true);
        command.environment().putAll(environment.connections().toEnvironment());
        Process process = command.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        Matcher stale = Pattern.compile("entries in [0-9.]+ s: ([0-9,]+) stale").matcher(output);
        if (!stale.find()) {
            throw new IllegalStateException("unexpected checker output:\n" + output);
        }
        return Long.parseLong(stale.group(1).replace(",", ""));
    }
}
