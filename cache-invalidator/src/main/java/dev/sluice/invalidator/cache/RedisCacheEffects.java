package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/** The cache effects on Redis, each one atomic; a Redis failure propagates, and Kafka Streams retries the record. */
final class RedisCacheEffects implements CacheEffects {

    private static final RedisScript<Long> INVALIDATE = RedisScript.of(PageCacheProtocol.INVALIDATE, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Timer lag;
    private final Counter dropped;
    private final Counter fenced;

    RedisCacheEffects(StringRedisTemplate redis, RedisKeys keys, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.lag = Timer.builder("sluice.invalidator.lag").description("From a change's commit in PostgreSQL to its effect in Redis")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(meters);
        this.dropped = Counter.builder("sluice.invalidator.pages").tag("effect", "dropped")
                .description("Page changes applied to the cache, by effect").register(meters);
        this.fenced = Counter.builder("sluice.invalidator.pages").tag("effect", "fenced-only")
                .description("Page changes applied to the cache, by effect").register(meters);
    }

    @Override
    public void invalidatePage(String id, long version) {
        Duration fenceTtl = version == PageCacheProtocol.UNVERSIONED_DELETE_FENCE
                ? PageCacheProtocol.UNVERSIONED_DELETE_FENCE_TTL : PageCacheProtocol.FENCE_TTL;
        Long result = redis.execute(INVALIDATE, List.of(keys.page(id), keys.pageFence(id)),
                Long.toString(version), Long.toString(fenceTtl.toMillis()));
        (result != null && result == 1 ? dropped : fenced).increment();
    }

    @Override
    public void retireSiteLists(String site) {
        redis.opsForValue().increment(keys.siteGeneration(site));
    }

    @Override
    public void applied(Instant committedAt) {
        Duration since = Duration.between(committedAt, Instant.now());
        lag.record(since.isNegative() ? Duration.ZERO : since);
    }
}
