package dev.sluice.cli.replay;

import dev.sluice.cli.shadow.ShadowTable;
import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.cli.support.IsoTime;
import dev.sluice.cli.support.Progress;
import dev.sluice.cli.support.Throttle;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.EnvelopeFormatException;
import dev.sluice.core.json.Json;
import dev.sluice.core.topic.Topics;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import tools.jackson.core.JacksonException;

/**
 * {@code sluice replay}: re-reads a range of a topic into PostgreSQL, a shadow table, another topic or an NDJSON
 * file, without touching the live consumer group. Resumable: a replay is known by its name, and a second run of
 * the same replay continues where the first stopped.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Replay a range of a topic (by time, by offsets, or both) into PostgreSQL, a shadow table, a topic or an NDJSON file.",
                "The live consumer group is never touched. A replay resumes where an earlier run of it (same --name) stopped.",
                "Times are the records' Kafka timestamps (when the API accepted them), as ISO-8601: 2026-11-20T10:15Z."},
        footer = {"", "Examples:",
                "  sluice replay --into postgres --from 2026-11-20T10:00Z --to 2026-11-20T11:00Z --dry-run",
                "  sluice replay --into shadow --table pages_rebuilt           (then: sluice shadow diff --table pages_rebuilt)",
                "  sluice replay --into file --file pages.ndjson.gz --partition 3 --from-offset 1000 --to-offset 2000",
                "  sluice replay --into topic --target-topic pages.reprocess --topic cdc.pages"})
public final class ReplayCommand implements Callable<Integer> {

    enum Target { postgres, shadow, topic, file }

    @Option(names = "--into", required = true, description = "Where to: postgres (the live pages table, fenced), shadow, topic or file.")
    Target into;

    @Option(names = "--topic", defaultValue = Topics.PAGES, description = "The topic to replay (default: ${DEFAULT-VALUE}; cdc.pages into topic or file).")
    String topic;

    @Option(names = "--from", converter = IsoTime.class, description = "First record time included (default: the oldest retained).")
    Instant from;

    @Option(names = "--to", converter = IsoTime.class, description = "First record time excluded (default: the end of the topic when the replay starts).")
    Instant to;

    @Option(names = "--from-offset", description = "First offset included, on every chosen partition.")
    Long fromOffset;

    @Option(names = "--to-offset", description = "First offset excluded, on every chosen partition.")
    Long toOffset;

    @Option(names = "--partition", split = ",", description = "Only these partitions (repeatable or comma-separated; default: all).")
    List<Integer> partitions = List.of();

    @Option(names = "--table", defaultValue = "pages_shadow", description = "The shadow table, created like pages if absent (--into shadow; default: ${DEFAULT-VALUE}).")
    String table;

    @Option(names = "--target-topic", description = "The topic to write to (--into topic), created like the source if absent.")
    String targetTopic;

    @Option(names = "--file", description = "The gzip NDJSON file to write (--into file).")
    Path file;

    @Option(names = "--name", description = "The replay's name: its progress is kept under it (default: derived from the target).")
    String name;

    @Option(names = "--max-rate", defaultValue = "5000", description = "Records per second at most, so live ingestion keeps its share (0: unthrottled; default: ${DEFAULT-VALUE}).")
    int maxRate;

    @Option(names = "--parallelism", defaultValue = "2",
            description = "Partitions read and applied by this many lanes at once (postgres and shadow; default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--restart", description = "Forget this replay's progress and start its range over.")
    boolean restart;

    @Option(names = "--dry-run", description = "Print, per partition, the offsets and record counts it would process, and do nothing.")
    boolean dryRun;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    public ReplayCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ReplaySelection selection;
        try {
            selection = new ReplaySelection(from, to, fromOffset, toOffset, partitions);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); ReplaySink sink = sink(err)) {
            List<PartitionRange> ranges = selection.resolve(consumer, topic);
            if ((into == Target.postgres || into == Target.shadow) && holdsChangeEvents(consumer, ranges)) {
                throw new CommandLine.ParameterException(spec.commandLine(), topic + " holds change events (Debezium), not page writes:"
                        + " only pages.v1 replays into PostgreSQL; replay it --into topic or --into file");
            }
            if (restart && !dryRun) {
                sink.forgetProgress(topic);
            }
            Replayer replayer = new Replayer(consumer, sink, new Throttle(maxRate));
            Map<Integer, Long> done = restart ? Map.of() : sink.progress(topic, ranges.stream().map(PartitionRange::partition).toList());
            refuseOrReportGaps(ranges, done, err);
            List<PartitionRange> remaining = ranges.stream()
                    .map(r -> done.containsKey(r.partition()) ? r.resumedAt(done.get(r.partition())) : r).toList();
            long total = remaining.stream().mapToLong(PartitionRange::span).sum();
            printPlan(out, ranges, remaining, total);
            if (dryRun) {
                return 0;
            }
            sink.begin(topic, remaining);
            long started = System.nanoTime();
            long replayed;
            try (Progress progress = new Progress("Replaying " + topic, total, "records", err)) {
                replayed = runLanes(replayer, sink, remaining, progress);
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            out.printf("Replayed %,d record(s) of %s in %.1f s (%,.0f records/s): %s%n", replayed, topic, seconds,
                    replayed / Math.max(seconds, 1e-3), sink.summary());
            return 0;
        }
    }

    /**
     * A resumed replay whose range now begins after where it stopped (retention removed the records between, or a
     * later {@code --from}) would leave a hole. Into a shadow that is refused: the shadow's coverage is one range
     * per partition, and a swap would read the hole as pages deleted. Elsewhere it is reported.
     */
    private void refuseOrReportGaps(List<PartitionRange> ranges, Map<Integer, Long> done, PrintWriter err) {
        List<String> gaps = ranges.stream()
                .filter(r -> done.containsKey(r.partition()) && done.get(r.partition()) < r.start())
                .map(r -> "partition %d stopped at offset %d but its range now begins at %d".formatted(r.partition(), done.get(r.partition()), r.start()))
                .toList();
        if (gaps.isEmpty()) {
            return;
        }
        String holes = String.join("; ", gaps) + " (retention removed the records between, or --from/--from-offset moved)";
        if (into == Target.shadow) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Refused: resuming would leave a hole in shadow " + table + ": "
                    + holes + ". Rebuild it from the start of what the topic holds with --restart.");
        }
        err.println("Note: " + holes + "; those offsets are not replayed (--restart starts the range over).");
    }

    /** Whether the first record in range is a change event rather than a page write (a replay of cdc.pages by mistake). */
    private boolean holdsChangeEvents(KafkaConsumer<byte[], byte[]> consumer, List<PartitionRange> ranges) {
        PartitionRange first = ranges.stream().filter(r -> r.span() > 0).findFirst().orElse(null);
        if (first == null) {
            return false;
        }
        TopicPartition partition = new TopicPartition(topic, first.partition());
        consumer.assign(List.of(partition));
        consumer.seek(partition, first.start());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                for (var record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.value() == null) {
                        continue;
                    }
                    try {
                        new EnvelopeCodec().decode(record.value());
                        return false;
                    } catch (EnvelopeFormatException e) {
                        try {
                            var event = Json.mapper().readTree(record.value());
                            return event.has("source") && event.has("op");
                        } catch (JacksonException notJson) {
                            return false; // poison: the replay reports it like any undecodable record
                        }
                    }
                }
            }
            return false;
        } finally {
            consumer.unsubscribe();
        }
    }

    /**
     * Into PostgreSQL, the partitions are shared out between lanes (each its own consumer, all one sink), so that
     * reading and decoding overlap with the database's work; a file or a topic takes one lane (one writer).
     */
    private long runLanes(Replayer first, ReplaySink sink, List<PartitionRange> remaining, Progress progress) throws Exception {
        List<PartitionRange> todo = remaining.stream().filter(r -> r.span() > 0).toList();
        int lanes = into == Target.postgres || into == Target.shadow ? Math.max(1, Math.min(parallelism, todo.size())) : 1;
        if (lanes == 1) {
            return first.run(topic, todo, progress).total();
        }
        Throttle throttle = new Throttle(maxRate);
        ExecutorService executor = Executors.newFixedThreadPool(lanes);
        List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
        try {
            List<Future<Replayer.Result>> results = new ArrayList<>();
            for (int lane = 0; lane < lanes; lane++) {
                int self = lane;
                List<PartitionRange> share = IntStream.range(0, todo.size()).filter(i -> i % lanes == self).mapToObj(todo::get).toList();
                KafkaConsumer<byte[], byte[]> consumer = consumer();
                consumers.add(consumer);
                Replayer replayer = new Replayer(consumer, sink, throttle);
                results.add(executor.submit(() -> replayer.run(topic, share, progress)));
            }
            long total = 0;
            for (Future<Replayer.Result> result : results) {
                try {
                    total += result.get().total();
                } catch (ExecutionException e) {
                    executor.shutdownNow();
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
            return total;
        } finally {
            executor.shutdownNow();
            consumers.forEach(KafkaConsumer::close);
        }
    }

    private void printPlan(PrintWriter out, List<PartitionRange> ranges, List<PartitionRange> remaining, long total) {
        out.printf("%s %s into %s (replay '%s'):%n", dryRun ? "Would replay" : "Replaying", topic, describeTarget(), replayName());
        out.println("  partition        from          to     records   to do");
        for (int i = 0; i < ranges.size(); i++) {
            PartitionRange range = ranges.get(i);
            out.printf("  %9d %11d %11d %11d %7s%n", range.partition(), range.start(), range.end(), range.span(),
                    remaining.get(i).span() == range.span() ? "all" : remaining.get(i).span() == 0 ? "done" : "from " + remaining.get(i).start());
        }
        out.printf("  total %,d record(s) in range, %,d to do%n", ranges.stream().mapToLong(PartitionRange::span).sum(), total);
        out.flush();
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = environment.kafkaClient();
        config.putAll(Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, // no group: nothing to commit, nobody's positions to move
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // a position retention removed meanwhile is an error, never a silent jump to the end
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none",
                // batches of a fifth of a second at the throttled rate: smooth pacing, and progress saved that often
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxRate == 0 ? 2000 : Math.max(1, Math.min(2000, maxRate / 5)),
                ConsumerConfig.CLIENT_ID_CONFIG, "sluice-replay-" + replayName()));
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private ReplaySink sink(PrintWriter err) throws Exception {
        return switch (into) {
            case postgres -> new PostgresSink(environment.dataSource(), "replay:" + replayName(), "pages", err);
            case shadow -> {
                ShadowTable shadow = new ShadowTable(table, topic);
                try (Connection db = environment.dataSource().getConnection()) {
                    if (dryRun && shadow.exists(db)) {
                        shadow.requireShadow(db);
                    } else if (!dryRun) {
                        shadow.create(db);
                    }
                } catch (ShadowTable.NotAShadowException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "Refused: " + e.getMessage() + "; choose another --table.");
                }
                yield new PostgresSink(environment.dataSource(), shadow.group(), table, err);
            }
            case topic -> {
                if (targetTopic == null || targetTopic.equals(topic)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--into topic needs a --target-topic other than " + topic);
                }
                yield new TopicSink(environment.kafkaClient(), targetTopic, replayName());
            }
            case file -> {
                if (file == null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--into file needs --file");
                }
                yield new NdjsonFileSink(file);
            }
        };
    }

    private String replayName() {
        if (name != null) {
            return name;
        }
        return switch (into) {
            case postgres -> "postgres-" + topic;
            case shadow -> "shadow-" + table;
            case topic -> topic + "-to-" + targetTopic;
            case file -> "file-" + (file == null ? "" : file.getFileName());
        };
    }

    private String describeTarget() {
        return switch (into) {
            case postgres -> "PostgreSQL table pages (fenced: older or repeated writes change nothing)";
            case shadow -> "shadow table " + table;
            case topic -> "topic " + targetTopic;
            case file -> "file " + file;
        };
    }
}
