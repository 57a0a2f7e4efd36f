package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.RedisKeys;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The cache's consistency SLI, measured continuously on real traffic (as large caches measure theirs): a sample of
 * the changes this invalidator applied is looked at again {@code delay} later. The cached entry is consistent if it
 * is gone, or cached at the change's version or a newer one; it is stale if it still holds an older version, and is
 * then watched until it is not, to measure how long it stayed stale. {@code sluice cache check} remains the full
 * audit; this says, all the time, how often a reader could have seen an outdated page {@code delay} after a change.
 *
 * <p>Published: {@code sluice_cache_consistency_checks_total{outcome}}, the fraction consistent over the last
 * {@code window} samples ({@code sluice_cache_consistency_ratio}) and as nines ({@code sluice_cache_consistency_nines}:
 * -log10 of the stale fraction, counting at least one stale sample, so a window of 10,000 clean samples reads 4,
 * its resolution), and how long stale entries stayed stale ({@code sluice_cache_staleness_seconds}).
 */
final class ConsistencyProbe {

    private static final long GIVE_UP_AFTER_MILLIS = Duration.ofMinutes(2).toMillis();
    private static final long WATCH_EVERY_MILLIS = 100;

    private final Supplier<RedisClusterAsyncCommands<byte[], byte[]>> redis;
    private final RedisKeys keys;
    private final CacheStreamsProperties.Consistency settings;
    private final ScheduledExecutorService timer;
    private final Counter consistent;
    private final Counter stale;
    private final Timer staleness;
    private final Deque<Boolean> window = new ArrayDeque<>();
    private long staleInWindow;

    ConsistencyProbe(Supplier<RedisClusterAsyncCommands<byte[], byte[]>> redis, RedisKeys keys, CacheStreamsProperties.Consistency settings,
            ScheduledExecutorService timer, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.settings = settings;
        this.timer = timer;
        this.consistent = Counter.builder("sluice.cache.consistency.checks").tag("outcome", "consistent")
                .description("Sampled changes whose cache entry was consistent (absent, or at the change's version or newer) the delay after")
                .register(meters);
        this.stale = Counter.builder("sluice.cache.consistency.checks").tag("outcome", "stale")
                .description("Sampled changes whose cache entry still held an older version the delay after").register(meters);
        this.staleness = Timer.builder("sluice.cache.staleness").description("How long a stale cache entry stayed stale after its change")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(2)).register(meters);
        Gauge.builder("sluice.cache.consistency.ratio", this, ConsistencyProbe::ratio)
                .description("Fraction of the last sampled changes whose cache entry was consistent the delay after").register(meters);
        Gauge.builder("sluice.cache.consistency.nines", this, ConsistencyProbe::nines)
                .description("The consistency ratio as nines (-log10 of the stale fraction, at least one stale sample counted)").register(meters);
    }

    /** A change of page {@code id} to {@code version} was applied to the cache just now: maybe look again later. */
    void applied(String id, long version) {
        if (settings.sampleRate() <= 0 || ThreadLocalRandom.current().nextDouble() >= settings.sampleRate()) {
            return;
        }
        timer.schedule(() -> check(id, version), settings.delay().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void check(String id, long version) {
        cachedVersion(id).whenComplete((cached, error) -> {
            if (error != null) {
                return; // Redis unreachable: no sample (the invalidator's own errors say so)
            }
            boolean isConsistent = cached == null || cached >= version;
            (isConsistent ? consistent : stale).increment();
            record(isConsistent);
            if (!isConsistent) {
                long since = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(settings.delay().toMillis());
                timer.schedule(() -> watch(id, version, since), WATCH_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** Looks again until the stale entry is consistent, then records how long it was stale since the change. */
    private void watch(String id, long version, long changedAtNanos) {
        cachedVersion(id).whenComplete((cached, error) -> {
            long elapsed = System.nanoTime() - changedAtNanos;
            if (error == null && (cached == null || cached >= version)) {
                staleness.record(elapsed, TimeUnit.NANOSECONDS);
            } else if (TimeUnit.NANOSECONDS.toMillis(elapsed) < GIVE_UP_AFTER_MILLIS) {
                timer.schedule(() -> watch(id, version, changedAtNanos), WATCH_EVERY_MILLIS, TimeUnit.MILLISECONDS);
            } else {
                staleness.record(elapsed, TimeUnit.NANOSECONDS); // still stale: at least this long
            }
        });
    }

    private java.util.concurrent.CompletableFuture<Long> cachedVersion(String id) {
        try {
            return redis.get().hget(bytes(keys.page(id)), bytes("v")).toCompletableFuture()
                    .thenApply(value -> value == null ? null : Long.parseLong(new String(value, StandardCharsets.UTF_8)));
        } catch (RuntimeException e) {
            return java.util.concurrent.CompletableFuture.failedFuture(e);
        }
    }

    private synchronized void record(boolean isConsistent) {
        window.addLast(isConsistent);
        if (!isConsistent) {
            staleInWindow++;
        }
        while (window.size() > settings.window()) {
            if (!window.removeFirst()) {
                staleInWindow--;
            }
        }
    }

    synchronized double ratio() {
        return window.isEmpty() ? Double.NaN : 1.0 - (double) staleInWindow / window.size();
    }

    synchronized double nines() {
        return window.isEmpty() ? Double.NaN : -Math.log10((double) Math.max(staleInWindow, 1) / window.size());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
