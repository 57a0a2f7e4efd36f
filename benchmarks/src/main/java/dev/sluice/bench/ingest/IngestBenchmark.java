package dev.sluice.bench.ingest;

import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.infra.process.ServiceProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The ingest path: a backlog of {@code pages.v1} drained into PostgreSQL by one worker, then by two, against the
 * limits measured in the same run on the same database for the same rows: a raw single-stream COPY into an empty
 * {@code pages}, and a bare set-based upsert (unnest, batches of 1,000) on one and on two connections, with no
 * Kafka and no decoding in the way; and against the peer a user would deploy instead ({@link ConnectJdbcSink}). Then
 * the COPY again, with one cost taken away at a time, to show where the time goes.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = "Ingest path: worker rows/s and MB/s (1 and 2 workers) against COPY and bare unnest upserts of the same rows, "
                + "and against the peer (Kafka Connect with Debezium's JDBC sink, 1 and 2 tasks).")
public final class IngestBenchmark implements Callable<Integer> {

    @Option(names = "--pages", defaultValue = "300000", description = "Pages in the topic per body size (default: ${DEFAULT-VALUE}).")
    int pageCount;

    @Option(names = "--body-sizes", split = ",", defaultValue = "2048,8192", description = "Body sizes in bytes (default: ${DEFAULT-VALUE}).")
    List<Integer> bodySizes;

    @Option(names = "--warmup-pages", defaultValue = "30000",
            description = "Pages each worker phase applies, unmeasured, before the measured backlog appears (default: ${DEFAULT-VALUE}).")
    int warmupPages;

    @Option(names = "--no-explain",
            description = "Skip the runs that show where the time goes (COPY without TOAST compression, without WAL, with fewer indexes; decoding alone).")
    boolean noExplain;

    @Option(names = "--no-peer", description = "Skip the peer: Kafka Connect with Debezium's JDBC sink, 1 and 2 tasks.")
    boolean noPeer;

    @Option(names = "--worker-concurrency", description = "Consumers per worker process (default: the worker's own default).")
    Integer workerConcurrency;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private final RealisticPages generator = new RealisticPages();
    private final Instant fetchedAt = Instant.parse("2026-11-20T10:15:30Z");

    @Override
    public Integer call() throws Exception {
        System.out.printf("Ingest path benchmark: %,d pages per body size %s; 1 then 2 worker processes; limits on the same database%n",
                pageCount, bodySizes);
        List<String> report = new ArrayList<>();
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            DataSource db = environment.dataSource();
            for (int bodySize : bodySizes) {
                String topic = "pages.bench-" + bodySize;
                System.out.printf("%n== %d B bodies: generating %,d pages ...%n", bodySize, pageCount);
                long generating = System.nanoTime();
                List<BenchRow> rows = BenchRow.generate(generator, 0, pageCount, bodySize, fetchedAt);
                List<BenchRow> warmup = BenchRow.generate(generator, pageCount, warmupPages, bodySize, fetchedAt);
                System.out.printf("  generated in %.1f s%n", (System.nanoTime() - generating) / 1e9);
                double mib = rows.stream().mapToLong(BenchRow::postedBytes).sum() / (double) (1 << 20);

                Phase copy = measure("COPY, 1 stream", rows.size(), mib, db, () -> Limits.copy(db, "pages", rows));
                Phase bare1 = measure("bare unnest upsert, 1 connection", rows.size(), mib, db, () -> Limits.unnestUpsert(db, rows, 1));
                Phase bare2 = measure("bare unnest upsert, 2 connections", rows.size(), mib, db, () -> Limits.unnestUpsert(db, rows, 2));
                Phase worker1 = drain(environment, topic + "-1", 1, warmup, rows, mib, db);
                Phase worker2 = drain(environment, topic + "-2", 2, warmup, rows, mib, db);
                Phase sink1 = noPeer ? null : drainSink(environment, "pages.peer-" + bodySize + "-1", 1, warmup, rows, mib, db);
                Phase sink2 = noPeer ? null : drainSink(environment, "pages.peer-" + bodySize + "-2", 2, warmup, rows, mib, db);

                report.add(String.format("%n%d B bodies, %,d pages (%.0f MiB as posted)", bodySize, rows.size(), mib));
                report.add(String.format("  %-40s %10s %8s %9s", "", "rows/s", "MiB/s", "ratio"));
                report.add(copy.line(null, null));
                report.add(bare1.line(null, null));
                report.add(bare2.line(null, null));
                report.add(worker1.line(copy, "COPY") + String.format("   %.2f x bare 1 conn", worker1.rowsPerSecond / bare1.rowsPerSecond));
                report.add(worker2.line(bare2, "bare 2 conn") + String.format("   %.2f x COPY", worker2.rowsPerSecond / copy.rowsPerSecond));
                if (!noPeer) {
                    report.add("  the peer: " + ConnectJdbcSink.describe());
                    report.add(sink1.line(copy, "COPY"));
                    report.add(sink2.line(copy, "COPY"));
                    Phase bestWorker = worker1.rowsPerSecond >= worker2.rowsPerSecond ? worker1 : worker2;
                    Phase bestSink = sink1.rowsPerSecond >= sink2.rowsPerSecond ? sink1 : sink2;
                    report.add(String.format("  %-40s %.2f x the sink with 1 task; best Sluice (%s) %.2f x the best sink (%s)",
                            "1 worker", worker1.rowsPerSecond / sink1.rowsPerSecond, bestWorker.name,
                            bestWorker.rowsPerSecond / bestSink.rowsPerSecond, bestSink.name));
                }
                if (!noExplain) {
                    report.add("  where the time goes (COPY into a scratch copy of pages, one cost removed at a time):");
                    report.add(measure("COPY, like pages", rows.size(), mib, db, () -> Limits.copyScratch(db, rows, "")).line(copy, "COPY"));
                    report.add(measure("COPY, body as text (pglz, before schema 13)", rows.size(), mib, db,
                            () -> Limits.copyScratch(db, rows, "TEXT")).line(copy, "COPY"));
                    report.add(measure("COPY, no WAL (unlogged table)", rows.size(), mib, db,
                            () -> Limits.copyScratch(db, rows, "UNLOGGED")).line(copy, "COPY"));
                    report.add(measure("COPY, only the primary key index", rows.size(), mib, db,
                            () -> Limits.copyScratch(db, rows, "NO_INDEXES")).line(copy, "COPY"));
                    report.add(decodeOnly(rows).line(null, null) + "   (the worker's decoding, one thread)");
                }
                rows.clear();
            }
        }
        System.out.println();
        report.forEach(System.out::println);
        System.out.println("""

                Workers are measured warm: each phase starts its processes, lets them apply the warm-up pages, then
                commits the whole backlog in one Kafka transaction and times from that commit to the last row applied.
                MiB/s counts pages as posted. The limits run with no Kafka and no decoding in the way.""");
        return 0;
    }

    /** One measured phase and its rate. */
    record Phase(String name, double rowsPerSecond, double mibPerSecond) {
        String line(Phase limit, String limitName) {
            return String.format("  %-40s %,10.0f %8.1f %9s", name, rowsPerSecond, mibPerSecond,
                    limit == null ? "" : String.format("%.2f x %s", rowsPerSecond / limit.rowsPerSecond, limitName));
        }
    }

    @FunctionalInterface
    interface Work {
        void run() throws Exception;
    }

    private Phase measure(String name, int rows, double mib, DataSource db, Work work) throws Exception {
        truncate(db);
        long started = System.nanoTime();
        work.run();
        double seconds = (System.nanoTime() - started) / 1e9;
        Phase phase = new Phase(name, rows / seconds, mib / seconds);
        System.out.printf("  %-44s %,10.0f rows/s  %6.1f MiB/s  (%.1f s)%n", name, phase.rowsPerSecond, phase.mibPerSecond, seconds);
        return phase;
    }

    /**
     * Starts {@code workers} worker processes on a topic of their own, lets them apply the warm-up pages (start-up
     * and JIT compilation are not what is measured), then makes the whole backlog appear at once (written in one
     * Kafka transaction, committed only when written: the workers read committed data only) and times its drain.
     */
    private Phase drain(BenchEnvironment environment, String topic, int workers, List<BenchRow> warmup, List<BenchRow> rows,
            double mib, DataSource db) throws SQLException {
        truncate(db);
        fill(environment, topic, warmup, false);
        String group = "bench-" + topic;
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("SLUICE_TOPICS_PAGES_NAME", topic);
        settings.put("SLUICE_TOPICS_PAGESDEADLETTERS_NAME", topic + ".dlq");
        settings.put("SLUICE_INGEST_GROUPID", group);
        settings.put("SLUICE_SEARCH_ENABLED", "false");
        if (workerConcurrency != null) {
            settings.put("SLUICE_INGEST_CONCURRENCY", workerConcurrency.toString());
        }
        List<ServiceProcess> started = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            started.add(environment.startServiceAsync("ingest-worker", settings));
        }
        await("the workers draining " + topic, () -> applied(db, group, topic), warmup.size(), () -> started.stream().allMatch(ServiceProcess::isAlive),
                () -> started.stream().allMatch(ServiceProcess::isReady), Duration.ofMinutes(30));
        System.out.printf("    %d worker(s) warm: %,d warm-up pages applied%n", workers, warmup.size());

        long committed = fill(environment, topic, rows, true);
        await("the workers draining " + topic, () -> applied(db, group, topic), warmup.size() + rows.size(),
                () -> started.stream().allMatch(ServiceProcess::isAlive), () -> true, Duration.ofMinutes(30));
        double seconds = (System.nanoTime() - committed) / 1e9;
        environment.stopServices(Duration.ofSeconds(30));
        Phase phase = new Phase(workers + " worker" + (workers > 1 ? "s" : ""), rows.size() / seconds, mib / seconds);
        System.out.printf("  %-44s %,10.0f rows/s  %6.1f MiB/s  (%.1f s from the backlog's commit to the last row)%n", phase.name,
                phase.rowsPerSecond, phase.mibPerSecond, seconds);
        return phase;
    }

    /**
     * The peer's phase, measured as the workers are: Kafka Connect started on a topic of its own in the peer's
     * format, warm once it has applied the warm-up pages, then the whole backlog committed at once and timed until
     * the last row is in {@code pages}.
     */
    private Phase drainSink(BenchEnvironment environment, String topic, int tasks, List<BenchRow> warmup, List<BenchRow> rows,
            double mib, DataSource db) throws SQLException {
        truncate(db);
        ConnectJdbcSink sink = new ConnectJdbcSink();
        fill(environment, topic, warmup, false, (row, n) -> sink.record(topic, row, n));
        Process connect = ConnectJdbcSink.start(environment, home, topic, tasks);
        try {
            await(ConnectJdbcSink.WHAT, () -> ConnectJdbcSink.rows(db), warmup.size(), connect::isAlive, () -> true, Duration.ofMinutes(10));
            System.out.printf("    the sink (%d task%s) warm: %,d warm-up pages applied%n", tasks, tasks > 1 ? "s" : "", warmup.size());
            long committed = fill(environment, topic, rows, true, (row, n) -> sink.record(topic, row, warmup.size() + n));
            await(ConnectJdbcSink.WHAT, () -> ConnectJdbcSink.rows(db), warmup.size() + rows.size(), connect::isAlive, () -> true,
                    Duration.ofMinutes(30));
            double seconds = (System.nanoTime() - committed) / 1e9;
            Phase phase = new Phase("Connect JDBC sink, " + tasks + " task" + (tasks > 1 ? "s" : ""), rows.size() / seconds, mib / seconds);
            System.out.printf("  %-44s %,10.0f rows/s  %6.1f MiB/s  (%.1f s from the backlog's commit to the last row)%n", phase.name,
                    phase.rowsPerSecond, phase.mibPerSecond, seconds);
            return phase;
        } finally {
            connect.destroy();
            try {
                if (!connect.waitFor(30, TimeUnit.SECONDS)) {
                    connect.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A count that reads the database (rows applied so far). */
    @FunctionalInterface
    interface Count {
        long get() throws SQLException;
    }

    /**
     * Waits until {@code progress} reaches {@code target} (and {@code andThen} holds), printing it every 5 s; fails,
     * naming {@code what}, when {@code alive} no longer holds or the timeout passes.
     */
    static void await(String what, Count progress, long target, java.util.function.BooleanSupplier alive,
            java.util.function.BooleanSupplier andThen, Duration timeout) throws SQLException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastPrint = System.nanoTime();
        while (true) {
            long applied = progress.get();
            if (applied >= target && andThen.getAsBoolean()) {
                return;
            }
            long now = System.nanoTime();
            if (now - lastPrint > TimeUnit.SECONDS.toNanos(5)) {
                System.out.printf("    %,d of %,d applied%n", applied, target);
                lastPrint = now;
            }
            if (now > deadline || !alive.getAsBoolean()) {
                throw new IllegalStateException(what + " did not finish (applied " + applied + " of " + target + ")");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private Phase decodeOnly(List<BenchRow> rows) {
        EnvelopeCodec codec = new EnvelopeCodec();
        List<byte[]> envelopes = new ArrayList<>();
        for (int i = 0; i < Math.min(rows.size(), 50_000); i++) {
            envelopes.add(rows.get(i).envelope());
        }
        for (byte[] envelope : envelopes) {
            codec.decode(envelope); // warm-up
        }
        long started = System.nanoTime();
        for (byte[] envelope : envelopes) {
            codec.decode(envelope);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        double mib = envelopes.size() * (rows.get(0).postedBytes() / (double) (1 << 20));
        return new Phase("decoding envelopes alone", envelopes.size() / seconds, mib / seconds);
    }

    static long applied(DataSource db, String group, String topic) throws SQLException {
        try (Connection connection = db.getConnection(); var query = connection.prepareStatement(
                "SELECT coalesce(sum(next_offset), 0) FROM consumer_positions WHERE consumer_group = ? AND topic = ?")) {
            query.setString(1, group);
            query.setString(2, topic);
            try (var result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    private static void truncate(DataSource db) throws SQLException {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("TRUNCATE pages, consumer_positions");
            statement.execute("DROP TABLE IF EXISTS bench_scratch");
            statement.execute("CHECKPOINT"); // each phase starts from the same WAL state
        }
    }

    /**
     * Writes the rows to the topic as the API would (same envelopes, same producer settings); in one transaction if
     * asked, so that readers see them all at once. Returns when they became visible (System.nanoTime()).
     */
    /** How long filling a topic may take before the run stops: minutes at the rates measured here. */
    static final Duration FILL_TIMEOUT = Duration.ofMinutes(5);

    static long fill(BenchEnvironment environment, String topic, List<BenchRow> rows, boolean atOnce) {
        return fill(environment, topic, rows, atOnce, (row, n) -> row.envelope());
    }

    /** The value each row is written as, given the row and its index in the list. */
    @FunctionalInterface
    interface RecordValue {
        byte[] of(BenchRow row, long index);
    }

    static long fill(BenchEnvironment environment, String topic, List<BenchRow> rows, boolean atOnce, RecordValue value) {
        long started = System.nanoTime();
        environment.createTopicIfAbsent(topic);
        environment.createTopicIfAbsent(topic + ".dlq");
        Map<String, Object> config = new LinkedHashMap<>(environment.kafkaClient());
        config.putAll(Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) FILL_TIMEOUT.toMillis()));
        if (atOnce) {
            config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "bench-fill-" + topic);
            config.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, (int) TimeUnit.MINUTES.toMillis(10));
        }
        long visible;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            if (atOnce) {
                producer.initTransactions();
                producer.beginTransaction();
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, rows.get(i).id(), value.of(rows.get(i), i))));
            }
            if (atOnce) {
                producer.commitTransaction(); // fails if any send failed: the transaction is aborted, nothing is visible
            }
            awaitEveryAcknowledgement(sent, topic);
            visible = System.nanoTime();
        }
        System.out.printf("    wrote %,d records to %s in %.1f s%s%n", rows.size(), topic, (visible - started) / 1e9,
                atOnce ? " (one transaction, visible at its commit)" : "");
        return visible;
    }

    /**
     * Every record acknowledged, or the run stops saying how many were not: a record the producer gave up on (or a
     * producer stuck retrying, as KAFKA-15591 can leave it) would otherwise make the drain wait forever for rows
     * that never come.
     */
    private static void awaitEveryAcknowledgement(List<Future<RecordMetadata>> sent, String topic) {
        long deadline = System.nanoTime() + FILL_TIMEOUT.toNanos();
        int failed = 0;
        Exception first = null;
        for (Future<RecordMetadata> record : sent) {
            try {
                record.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                failed++;
                first = first == null ? e : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while filling " + topic, e);
            }
        }
        if (failed > 0) {
            throw new IllegalStateException("%,d of %,d records were not acknowledged by %s within %s (first: %s): the run would wait for them forever"
                    .formatted(failed, sent.size(), topic, FILL_TIMEOUT, first instanceof ExecutionException ? first.getCause() : "timed out"));
        }
    }
}
