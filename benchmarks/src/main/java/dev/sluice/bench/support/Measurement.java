package dev.sluice.bench.support;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Counts and latencies of one timed run; thread-safe while recording. */
public final class Measurement {

    private final Recorder latencies = new Recorder(3);
    private final LongAdder items = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private long startedNanos;
    private long elapsedNanos;

    public void start() {
        latencies.reset();
        startedNanos = System.nanoTime();
    }

    public void stop() {
        elapsedNanos = System.nanoTime() - startedNanos;
    }

    public void success(long itemCount, long byteCount, long latencyNanos) {
        items.add(itemCount);
        bytes.add(byteCount);
        latencies.recordValue(Math.max(1, latencyNanos / 1000));
    }

    public void failure() {
        failures.increment();
    }

    public Result result(String name) {
        Histogram histogram = latencies.getIntervalHistogram();
        double seconds = elapsedNanos / 1e9;
        return new Result(name, items.sum() / seconds, bytes.sum() / seconds / (1 << 20),
                histogram.getValueAtPercentile(50) / 1000.0, histogram.getValueAtPercentile(99) / 1000.0,
                failures.sum(), Duration.ofNanos(elapsedNanos));
    }

    /**
     * @param perSecond items (pages, records) per second
     * @param mibPerSecond payload MiB per second
     * @param p50Millis median latency
     * @param p99Millis 99th percentile latency
     * @param failures requests or records that failed
     */
    public record Result(String name, double perSecond, double mibPerSecond, double p50Millis, double p99Millis, long failures,
            Duration elapsed) {}
}
