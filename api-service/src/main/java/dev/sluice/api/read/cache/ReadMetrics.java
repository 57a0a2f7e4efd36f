package dev.sluice.api.read.cache;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** Read latency by path (page, site-list, search, stats) and by the source that answered. */
@Component
public class ReadMetrics {

    private final MeterRegistry meters;
    /** One timer per path and source, built once: recording sits on every read, cache hits included. */
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    ReadMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    public void record(String path, ReadSource source, long startedNanos) {
        timers.computeIfAbsent(path + '/' + source.tag(), key -> Timer.builder("sluice.api.read.latency").tag("path", path).tag("source", source.tag())
                        .description("From the request to its answer, by path and by what answered it")
                        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000)).maximumExpectedValue(Duration.ofSeconds(10))
                        .register(meters))
                .record(System.nanoTime() - startedNanos, TimeUnit.NANOSECONDS);
    }
}
