package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.stats.SiteStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The cache effects on Redis. A page change is one pipelined round trip (the fence script and the site's
 * generation bump); a Redis failure propagates, and Kafka Streams retries the record (every effect is idempotent
 * or, for generations, harmless to repeat).
 */
final class RedisCacheEffects implements CacheEffects {

    private static final byte[] INVALIDATE = PageCacheProtocol.INVALIDATE.getBytes(StandardCharsets.UTF_8);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Timer lag;
    private final Counter dropped;
    private final Counter fenced;
    private final Counter statsPublished;

    RedisCacheEffects(StringRedisTemplate redis, RedisKeys keys, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.lag = Timer.builder("sluice.invalidator.lag").description("From a change's commit in PostgreSQL to its effect in Redis")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(5)).register(meters);
        this.dropped = Counter.builder("sluice.invalidator.pages").tag("effect", "dropped")
                .description("Page changes applied to the cache, by effect").register(meters);
        this.fenced = Counter.builder("sluice.invalidator.pages").tag("effect", "fenced-only")
                .description("Page changes applied to the cache, by effect").register(meters);
        this.statsPublished = Counter.builder("sluice.invalidator.site.stats.published")
                .description("Site statistics written to Redis").register(meters);
    }

    @Override
    public void pageChanged(String id, long fence, String site) {
        Duration fenceTtl = fence == PageCacheProtocol.UNVERSIONED_DELETE_FENCE
                ? PageCacheProtocol.UNVERSIONED_DELETE_FENCE_TTL : PageCacheProtocol.FENCE_TTL;
        List<Object> results = redis.executePipelined((RedisCallback<Object>) connection -> {
            connection.scriptingCommands().eval(INVALIDATE, ReturnType.INTEGER, 2, bytes(keys.page(id)), bytes(keys.pageFence(id)),
                    bytes(Long.toString(fence)), bytes(Long.toString(fenceTtl.toMillis())));
            if (site != null) {
                connection.stringCommands().incr(bytes(keys.siteGeneration(site)));
            }
            return null;
        });
        Object result = results.get(0);
        (result instanceof Long dropped1 && dropped1 == 1 ? dropped : fenced).increment();
    }

    @Override
    public void siteStats(Map<String, SiteStats> stats) {
        redis.executePipelined((RedisCallback<Object>) connection -> {
            stats.forEach((site, siteStats) -> set(connection, keys.siteStats(site), siteStats.toJson()));
            return null;
        });
        statsPublished.increment(stats.size());
    }

    @Override
    public void applied(Instant committedAt) {
        Duration since = Duration.between(committedAt, Instant.now());
        lag.record(since.isNegative() ? Duration.ZERO : since);
    }

    private static void set(RedisConnection connection, String key, String value) {
        connection.stringCommands().set(bytes(key), bytes(value));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
