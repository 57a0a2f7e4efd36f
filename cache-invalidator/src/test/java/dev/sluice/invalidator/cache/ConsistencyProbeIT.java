package dev.sluice.invalidator.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The consistency SLI against a real Redis: gone or newer is consistent; older is stale, and timed until it is not. */
@SharedStackTest
class ConsistencyProbeIT {

    final RedisKeys keys = new RedisKeys("probe-it:");
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    RedisClient client;
    StatefulRedisConnection<byte[], byte[]> redis;
    ConsistencyProbe probe;

    @BeforeEach
    void probe() {
        Connections connections = SharedStack.connections();
        client = RedisClient.create(connections.redisUrl());
        redis = client.connect(ByteArrayCodec.INSTANCE);
        probe = new ConsistencyProbe(redis::async, keys, new CacheStreamsProperties.Consistency(1.0, Duration.ofMillis(200), 100), timer, meters);
    }

    @AfterEach
    void close() {
        timer.shutdownNow();
        redis.close();
        client.shutdown();
    }

    @Test
    void anEntryGoneOrNewerIsConsistentAnOlderOneStaleForAsLongAsItStays() {
        cache("b", 7);
        cache("c", 3);
        probe.applied("a", 5); // nothing cached
        probe.applied("b", 7); // cached at the change's version
        probe.applied("c", 5); // still the version before the change
        await().atMost(Duration.ofSeconds(5)).until(() -> checks("consistent") + checks("stale") == 3);
        assertThat(checks("consistent")).isEqualTo(2);
        assertThat(checks("stale")).isEqualTo(1);
        assertThat(probe.ratio()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(probe.nines()).isCloseTo(-Math.log10(1.0 / 3), org.assertj.core.data.Offset.offset(1e-9));

        cache("c", 5); // the refill at the new version ends the staleness
        await().atMost(Duration.ofSeconds(5)).until(() -> meters.get("sluice.cache.staleness").timer().count() == 1);
        assertThat(meters.get("sluice.cache.staleness").timer().totalTime(TimeUnit.MILLISECONDS)).as("stale from the change until the refill")
                .isGreaterThanOrEqualTo(200);
    }

    @Test
    void nothingIsSampledAtRateZero() throws Exception {
        probe = new ConsistencyProbe(redis::async, keys, new CacheStreamsProperties.Consistency(0, Duration.ofMillis(10), 100), timer,
                new SimpleMeterRegistry());
        probe.applied("a", 1);
        timer.schedule(() -> { }, 100, TimeUnit.MILLISECONDS).get();
        assertThat(probe.ratio()).isNaN();
    }

    private long checks(String outcome) {
        return (long) meters.get("sluice.cache.consistency.checks").tag("outcome", outcome).counter().count();
    }

    private void cache(String id, long version) {
        redis.sync().hset(keys.page(id).getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8),
                Long.toString(version).getBytes(StandardCharsets.UTF_8));
    }
}
