package dev.sluice.invalidator.check;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.store.cache.ConsistencyChecker;
import dev.sluice.store.cache.RedisClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/** Runs the consistency checker on a sample now and then, and exposes its last stale count as a gauge. */
@Component
class ConsistencyCheckSchedule implements SmartLifecycle {


    private static final Logger log = LoggerFactory.getLogger(ConsistencyCheckSchedule.class);

    private final CheckProperties settings;
    private final DataSource dataSource;
    private final RedisKeys keys;
    private final String redisUrl;
    private final String redisTruststore;
    private final AtomicLong lastStale = new AtomicLong(-1);
    private ScheduledExecutorService timer;

    ConsistencyCheckSchedule(CheckProperties settings, DataSource dataSource, RedisKeys keys,
            dev.sluice.platform.connection.ConnectionProperties connections, MeterRegistry meters) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.keys = keys;
        this.redisUrl = connections.redis().url();
        this.redisTruststore = connections.redis().truststore();
        Gauge.builder("sluice.invalidator.stale.entries", lastStale, AtomicLong::get)
                .description("Stale cached page entries found by the last sampled consistency check (-1: none yet)").register(meters);
    }

    @Override
    public void start() {
        if (settings.interval().isZero()) {
            return;
        }
        timer = Executors.newSingleThreadScheduledExecutor(runnable -> new Thread(runnable, "consistency-check"));
        long period = settings.interval().toMillis();
        timer.scheduleWithFixedDelay(this::checkOnce, period, period, TimeUnit.MILLISECONDS);
    }

    private void checkOnce() {
        RedisClient client = RedisClients.create(redisUrl, redisTruststore);
        try (StatefulRedisConnection<String, String> redis = client.connect(); Connection db = dataSource.getConnection()) {
            ConsistencyChecker.Result result = new ConsistencyChecker(redis.sync(), keys).check(db, settings.sample(), checked -> {});
            lastStale.set(result.stale());
            if (result.stale() > 0) {
                log.warn("Consistency check: {} of {} sampled cache entries stale, e.g. {}", result.stale(), result.checked(), result.staleIds());
            }
        } catch (Exception e) {
            log.warn("Consistency check failed: {}", e.toString());
        } finally {
            client.shutdown();
        }
    }

    @Override
    public void stop() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return timer != null && !timer.isShutdown();
    }
}
