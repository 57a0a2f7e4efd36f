package dev.sluice.bench.pipeline;

import dev.sluice.bench.ingest.BenchRow;
import dev.sluice.bench.ingest.Limits;
import dev.sluice.bench.support.ActuatorMetrics;
import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.CpuUsage;
import dev.sluice.bench.support.PrometheusScrape;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.bench.support.ThreadCpu;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.process.ServiceProcess;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import reactor.core.Disposable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * {@code ./sluice bench pipeline}: the whole pipeline measured as one. Crawler-shaped load ({@link CrawlerLoad}) over
 * HTTP through every stage, each service in its own JVM (API, ingest worker with its search indexer, cache
 * invalidator, the backup worker's change archiver), at a series of offered rates. For each: pages accepted per
 * second; how soon an acknowledged write is readable by a plain GET ({@link VisibilityProbe}), p50/p99; commit to
 * cache applied, p99 (the invalidator's histogram); and the CPU per page of every process (and of the threads that
 * matter inside them), from the start of the load until every stage has caught up, next to the CPU per row of a
 * plain COPY of the same pages into PostgreSQL, measured in the same run. A rate is fresh when nearly all of it is
 * accepted, every probed write became visible, and commit to cache stays under a second at p99.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "The whole pipeline at a series of rates: visibility p50/p99, commit-to-cache p99, CPU per page per process against a COPY.")
public final class PipelineBenchmark implements Callable<Integer> {

    @Option(names = "--rates", split = ",", defaultValue = "250,500,750,1000",
            description = "Offered pages per second, in turn (default: ${DEFAULT-VALUE}).")
    List<Integer> rates;

    @Option(names = "--duration", defaultValue = "30", description = "Seconds of load per rate (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--warmup", defaultValue = "60", description = "Seconds of load at the first rate before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--body-size", defaultValue = "2048", description = "Body size in bytes (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(names = "--batch", defaultValue = "100", description = "Pages per POST (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--search", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Run the search indexer (--no-search: without it, to see what it costs; default: on).")
    boolean search;

    @Option(names = "--probes", defaultValue = "5", description = "Acknowledged writes probed for visibility per second (default: ${DEFAULT-VALUE}).")
    int probesPerSecond;

    @Option(names = "--copy-rows", defaultValue = "30000", description = "Rows of the COPY the pipeline is compared with (default: ${DEFAULT-VALUE}).")
    int copyRows;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private static final int MAX_PAGES = 200_000;
    private static final Duration SETTLE_LIMIT = Duration.ofMinutes(5);
    /** The invalidator's topology; the archiver is left out: it commits its position once per segment (a minute). */
    private static final String TOPOLOGY_GROUP = "sluice-cache-invalidator";
    private static final String SEARCH_GROUP = "search-indexer";

    /** The threads that matter inside the processes, by name (Linux keeps the first 15 characters). */
    private static final Map<String, Pattern> WORKER_THREADS = groups("ingest", "ingestContain.*", "search indexer", "searchIndexer.*",
            "JIT", "C[12] CompilerThre.*", "GC", "GC Thread.*|G1 .*");
    private static final Map<String, Pattern> INVALIDATOR_THREADS = groups("change feed", "cdc-engine|debezium.*|change-event-.*|pool-.*",
            "stream threads", "sluice-cache-in.*", "JIT", "C[12] CompilerThre.*", "GC", "GC Thread.*|G1 .*");
    private static final Map<String, Pattern> API_THREADS = groups("JIT", "C[12] CompilerThre.*", "GC", "GC Thread.*|G1 .*");
    private static final Map<String, Pattern> BENCH_THREADS = groups("broker",
            "kafka.*|data-plane.*|quorum.*|raft.*|broker.*|controller.*|ReplicaFetch.*|ExpirationRea.*|LogCleaner.*|group-coord.*"
                    + "|share-coord.*|transaction.*|metadata.*|executor-.*|ThrottledChan.*|TxnMarker.*|ProcessorThre.*");

    /** One offered rate's figures. */
    private record Row(int offered, double accepted, long probes, long neverVisible, long skipped, Histogram visible, double commitToCacheP50,
            double commitToCacheP99, Map<String, Double> microsPerPage, Duration settled, Map<String, Long> failures) {

        boolean fresh() {
            return accepted >= 0.95 * offered && neverVisible == 0 && commitToCacheP99 < 1.0 && visible.getTotalCount() > 0;
        }

        double totalMicros() {
            return microsPerPage.entrySet().stream().filter(part -> !part.getKey().startsWith("  ") && !part.getKey().equals("load generator"))
                    .mapToDouble(Map.Entry::getValue).sum();
        }
    }

    @Override
    public Integer call() throws Exception {
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            environment.createTopicIfAbsent(Topics.PAGES);
            String key = environment.createKey();
            ServiceProcess api = environment.startService("api-service", Map.of());
            ServiceProcess worker = environment.startService("ingest-worker", search ? Map.of() : Map.of("SLUICE_SEARCH_ENABLED", "false"));
            Map<String, String> invalidatorEnvironment = new LinkedHashMap<>(ActuatorMetrics.EXPOSE);
            invalidatorEnvironment.put("SLUICE_INVALIDATOR_STATEDIR", environment.directory().resolve("streams").toString());
            ServiceProcess invalidator = environment.startService("cache-invalidator", invalidatorEnvironment);
            ServiceProcess archiver = environment.startService("backup-worker", Map.of(
                    "SLUICE_BACKUP_DIRECTORY", environment.directory().resolve("backups").toString(), "SLUICE_BACKUP_SCHEDULE", "-"));
            CpuUsage.Parts parts = new CpuUsage.Parts().process("api", api.pid()).process("ingest worker", worker.pid())
                    .process("invalidator", invalidator.pid()).process("archiver", archiver.pid())
                    .command("postgres", "postgres", environment.directory().toString())
                    .command("redis", "redis-server", Integer.toString(URI.create(environment.connections().redisUrl()).getPort()))
                    .self("bench JVM");

            ConnectionProvider pool = ConnectionProvider.builder("pipeline-bench").maxConnections(512).pendingAcquireMaxCount(-1).build();
            HttpClient http = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + api.port()).responseTimeout(Duration.ofSeconds(15));
            CrawlerLoad load = new CrawlerLoad(http, key, bodySize, batch, MAX_PAGES);
            VisibilityProbe probe = new VisibilityProbe(http, key, probesPerSecond);

            System.out.printf("warm-up: %d s at %,d pages/s%n", warmupSeconds, rates.get(0));
            Disposable warm = load.start(rates.get(0), probe::probe);
            Thread.sleep(warmupSeconds * 1000L); // the load runs meanwhile: nothing to wait on but time
            warm.dispose();
            settle(environment, load, probe);
            probe.takeVisible();

            List<Row> rows = new ArrayList<>();
            for (int rate : rates) {
                rows.add(measure(rate, environment, load, probe, parts, api, worker, invalidator));
            }
            pool.dispose();
            Map<String, Double> copy = copyCpuPerRow(environment, parts);
            print(rows, copy);
        }
        return 0;
    }

    private Row measure(int rate, BenchEnvironment environment, CrawlerLoad load, VisibilityProbe probe, CpuUsage.Parts parts,
            ServiceProcess api, ServiceProcess worker, ServiceProcess invalidator) throws Exception {
        Map<String, Long> failuresBefore = counts(load.failures);
        long neverBefore = probe.neverVisible.get();
        long skippedBefore = probe.skipped.get();
        CpuUsage cpuBefore = parts.read();
        ThreadCpu workerBefore = ThreadCpu.of(worker.pid(), WORKER_THREADS);
        ThreadCpu invalidatorBefore = ThreadCpu.of(invalidator.pid(), INVALIDATOR_THREADS);
        ThreadCpu apiBefore = ThreadCpu.of(api.pid(), API_THREADS);
        ThreadCpu benchBefore = ThreadCpu.of(ProcessHandle.current().pid(), BENCH_THREADS);
        PrometheusScrape lagBefore = PrometheusScrape.of(invalidator.port(), "sluice_invalidator_lag_seconds");
        long acceptedBefore = load.accepted.get();
        long started = System.nanoTime();

        Disposable writes = load.start(rate, probe::probe);
        long deadline = started + seconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000); // progress once a second
            double elapsed = (System.nanoTime() - started) / 1e9;
            System.out.printf("\r%,d pages/s: %.0f / %d s, %,d accepted (%,.0f/s)   ", rate, elapsed, seconds,
                    load.accepted.get() - acceptedBefore, (load.accepted.get() - acceptedBefore) / elapsed);
        }
        writes.dispose();
        double elapsed = (System.nanoTime() - started) / 1e9;
        long accepted = load.accepted.get() - acceptedBefore;
        System.out.println();
        Duration settled = settle(environment, load, probe);

        CpuUsage cpuAfter = parts.read();
        Map<String, Duration> used = cpuAfter.since(cpuBefore);
        Map<String, Double> micros = new LinkedHashMap<>();
        Map<String, Duration> workerThreads = ThreadCpu.of(worker.pid(), WORKER_THREADS).since(workerBefore);
        Map<String, Duration> invalidatorThreads = ThreadCpu.of(invalidator.pid(), INVALIDATOR_THREADS).since(invalidatorBefore);
        Map<String, Duration> apiThreads = ThreadCpu.of(api.pid(), API_THREADS).since(apiBefore);
        Map<String, Duration> benchThreads = ThreadCpu.of(ProcessHandle.current().pid(), BENCH_THREADS).since(benchBefore);
        for (Map.Entry<String, Duration> part : used.entrySet()) {
            if (part.getKey().equals("bench JVM")) {
                double broker = perPage(benchThreads.get("broker"), accepted);
                micros.put("broker (in the bench JVM)", broker);
                micros.put("load generator", perPage(part.getValue(), accepted) - broker);
                continue;
            }
            micros.put(part.getKey(), perPage(part.getValue(), accepted));
            Map<String, Duration> inside = part.getKey().equals("ingest worker") ? workerThreads
                    : part.getKey().equals("invalidator") ? invalidatorThreads : part.getKey().equals("api") ? apiThreads : Map.of();
            inside.forEach((group, cpu) -> {
                if (!group.equals("other")) {
                    micros.put("  " + group + " (" + part.getKey() + ")", perPage(cpu, accepted));
                }
            });
        }
        PrometheusScrape lagAfter = PrometheusScrape.of(invalidator.port(), "sluice_invalidator_lag_seconds");
        TreeMap<Double, Double> before = lagBefore.buckets("sluice_invalidator_lag_seconds");
        TreeMap<Double, Double> after = lagAfter.buckets("sluice_invalidator_lag_seconds");
        Histogram visible = probe.takeVisible();
        Map<String, Long> failures = counts(load.failures);
        failuresBefore.forEach((name, count) -> failures.computeIfPresent(name, (k, now) -> now - count));
        failures.values().removeIf(count -> count == 0);
        Row row = new Row(rate, accepted / elapsed, visible.getTotalCount(), probe.neverVisible.get() - neverBefore,
                probe.skipped.get() - skippedBefore, visible, PrometheusScrape.quantile(before, after, 0.50),
                PrometheusScrape.quantile(before, after, 0.99), micros, settled, failures);
        System.out.printf("  %,.0f pages/s accepted; visible after p50 %.0f ms, p99 %.0f ms (%,d probes, %d never); commit to cache p99 <= %.2f s;"
                        + " %,.0f µs of CPU per page in all; caught up %.1f s after the load stopped%n", row.accepted(),
                visible.getValueAtPercentile(50) / 1e3, visible.getValueAtPercentile(99) / 1e3, row.probes(), row.neverVisible(),
                row.commitToCacheP99(), row.totalMicros(), settled.toMillis() / 1e3);
        return row;
    }

    /**
     * Until every stage has caught up: the worker has applied every accepted write, the invalidator's topology and the
     * search indexer have read every change event, and no probe is waiting.
     */
    private Duration settle(BenchEnvironment environment, CrawlerLoad load, VisibilityProbe probe) throws Exception {
        Instant stopped = Instant.now();
        int quiet = 0;
        try (Connection db = environment.dataSource().getConnection()) {
            while (quiet < 2) {
                if (Duration.between(stopped, Instant.now()).compareTo(SETTLE_LIMIT) > 0) {
                    throw new IllegalStateException("the pipeline did not catch up within " + SETTLE_LIMIT.toMinutes() + " minutes of the load stopping");
                }
                long unapplied = load.accepted.get() - applied(db);
                long behind = 0;
                for (String group : search ? List.of(TOPOLOGY_GROUP, SEARCH_GROUP) : List.of(TOPOLOGY_GROUP)) {
                    behind += environment.groupBacklog(group, Topics.CDC_PAGES);
                }
                quiet = unapplied <= 0 && behind == 0 && probe.idle() ? quiet + 1 : 0;
                System.out.printf("\rcatching up: %,d writes to apply, %,d change events to read   ", Math.max(0, unapplied), behind);
                Thread.sleep(500); // poll
            }
        }
        System.out.println();
        return Duration.between(stopped, Instant.now()).minusMillis(1000);
    }

    private static long applied(Connection db) throws Exception {
        try (Statement sql = db.createStatement();
                ResultSet rows = sql.executeQuery("SELECT coalesce(sum(next_offset), 0) FROM consumer_positions WHERE consumer_group = 'ingest'")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** CPU per row of one COPY of the same kind of pages (PostgreSQL's backends, and the thread sending them). */
    private Map<String, Double> copyCpuPerRow(BenchEnvironment environment, CpuUsage.Parts parts) throws Exception {
        List<BenchRow> rows = BenchRow.generate(new RealisticPages(), 1_000_000_000L, copyRows, bodySize, Instant.now().minus(Duration.ofDays(2)));
        try (Connection db = environment.dataSource().getConnection(); Statement sql = db.createStatement()) {
            sql.execute("DROP TABLE IF EXISTS bench_copy");
            sql.execute("CREATE TABLE bench_copy (LIKE pages INCLUDING ALL)");
        }
        System.out.printf("COPY of %,d pages into a table like pages%n", copyRows);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        CpuUsage before = parts.read();
        long clientBefore = threads.getCurrentThreadCpuTime();
        Limits.copy(environment.dataSource(), "bench_copy", rows);
        long client = threads.getCurrentThreadCpuTime() - clientBefore;
        Map<String, Duration> used = parts.read().since(before);
        Map<String, Double> copy = new LinkedHashMap<>();
        copy.put("postgres", perPage(used.get("postgres"), copyRows));
        copy.put("client", perPage(Duration.ofNanos(client), copyRows));
        return copy;
    }

    private void print(List<Row> rows, Map<String, Double> copy) {
        double copyMicros = copy.values().stream().mapToDouble(Double::doubleValue).sum();
        System.out.printf("%nThe whole pipeline, %d-byte pages in batches of %d (40 %% new, 30 %% changed, 25 %% unchanged re-crawls, 5 %% deletes),"
                + " every service in its own JVM, on %d cores%n", bodySize, batch, Runtime.getRuntime().availableProcessors());
        StringBuilder header = new StringBuilder(String.format("%-32s", "offered pages/s"));
        rows.forEach(row -> header.append(String.format("%12s", String.format("%,d", row.offered()))));
        System.out.println(header);
        line("accepted pages/s", rows, row -> String.format("%,.0f", row.accepted()));
        line("visible after (GET), p50", rows, row -> String.format("%,.0f ms", row.visible().getValueAtPercentile(50) / 1e3));
        line("visible after (GET), p99", rows, row -> String.format("%,.0f ms", row.visible().getValueAtPercentile(99) / 1e3));
        line("  probes (never visible)", rows, row -> String.format("%,d (%d)", row.probes(), row.neverVisible()));
        line("commit to cache, p50 (bucket)", rows, row -> String.format("<= %.2f s", row.commitToCacheP50()));
        line("commit to cache, p99 (bucket)", rows, row -> String.format("<= %.2f s", row.commitToCacheP99()));
        line("caught up after the load", rows, row -> String.format("%.1f s", row.settled().toMillis() / 1e3));
        line("fresh", rows, row -> row.fresh() ? "yes" : "no");
        System.out.println("CPU per page (µs), from the load's start until every stage caught up:");
        for (String part : rows.get(0).microsPerPage().keySet()) {
            line("  " + part, rows, row -> String.format("%,.0f", row.microsPerPage().getOrDefault(part, 0.0)));
        }
        line("  whole pipeline (no load gen.)", rows, row -> String.format("%,.0f", row.totalMicros()));
        line("  ÷ COPY CPU per row", rows, row -> String.format("%.1fx", row.totalMicros() / copyMicros));
        System.out.printf("COPY of the same kind of pages: %.0f µs of CPU per row (PostgreSQL %.0f, client %.0f)%n", copyMicros,
                copy.get("postgres"), copy.get("client"));
        rows.stream().filter(row -> !row.failures().isEmpty())
                .forEach(row -> System.out.printf("writes not accepted at %,d pages/s: %s%n", row.offered(), row.failures()));
        Row best = rows.stream().filter(Row::fresh).reduce((a, b) -> b.offered() > a.offered() ? b : a).orElse(null);
        if (best == null) {
            System.out.println("No rate tried kept visibility fresh (commit to cache p99 under 1 s, every probed write visible).");
        } else {
            System.out.printf("Highest fresh rate tried: %,d pages/s; there the whole pipeline costs %,.0f µs of CPU per page, %.1fx a COPY's per row.%n",
                    best.offered(), best.totalMicros(), best.totalMicros() / copyMicros);
        }
    }

    private static void line(String label, List<Row> rows, java.util.function.Function<Row, String> cell) {
        StringBuilder text = new StringBuilder(String.format("%-32s", label));
        rows.forEach(row -> text.append(String.format("%12s", cell.apply(row))));
        System.out.println(text);
    }

    private static double perPage(Duration cpu, long pages) {
        return cpu == null ? 0 : cpu.toNanos() / 1e3 / Math.max(1, pages);
    }

    private static Map<String, Long> counts(Map<String, java.util.concurrent.atomic.AtomicLong> counters) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counters.forEach((name, count) -> counts.put(name, count.get()));
        return counts;
    }

    private static Map<String, Pattern> groups(String... namesAndPatterns) {
        Map<String, Pattern> groups = new LinkedHashMap<>();
        for (int i = 0; i < namesAndPatterns.length; i += 2) {
            groups.put(namesAndPatterns[i], Pattern.compile(namesAndPatterns[i + 1]));
        }
        return groups;
    }
}
