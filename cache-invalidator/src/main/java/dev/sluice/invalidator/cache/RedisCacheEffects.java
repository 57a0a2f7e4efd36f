package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.stats.SiteStats;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * The cache effects on Redis, sent without waiting for each other on the one connection the application shares
 * (Lettuce pipelines them: the invalidator's throughput does not pay a round trip per change, nor a reactive
 * pipeline per command, which cost 15% of the stream thread). A page change is the fence script and the site's
 * generation bump; a failure fails the future, and with it the task's next commit, so Kafka Streams processes the
 * records again (every effect is idempotent or, for generations, harmless to repeat).
 */
final class RedisCacheEffects implements CacheEffects {

    private static final byte[] INVALIDATE = bytes(PageCacheProtocol.INVALIDATE);
    private static final String INVALIDATE_SHA = RedisScript.of(PageCacheProtocol.INVALIDATE).getSha1();
    private static final byte[] FENCE_TTL = bytes(Long.toString(PageCacheProtocol.FENCE_TTL.toMillis()));
    private static final byte[] UNVERSIONED_DELETE_FENCE_TTL = bytes(Long.toString(PageCacheProtocol.UNVERSIONED_DELETE_FENCE_TTL.toMillis()));

    private final Supplier<RedisClusterAsyncCommands<byte[], byte[]>> connect;
    private volatile RedisClusterAsyncCommands<byte[], byte[]> redis;
    private final RedisKeys keys;
    private final Timer lag;
    private final Counter dropped;
    private final Counter fenced;
    private final Counter statsPublished;

    /**
     * @param connect the application's shared connection, taken at the first change (so that the service starts while
     *     Redis is down; Lettuce reconnects it afterwards, and it is never closed here)
     */
    private final ConsistencyProbe probe;

    RedisCacheEffects(Supplier<RedisClusterAsyncCommands<byte[], byte[]>> connect, RedisKeys keys, MeterRegistry meters, ConsistencyProbe probe) {
        this.connect = connect;
        this.probe = probe;
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

    private RedisClusterAsyncCommands<byte[], byte[]> redis() {
        RedisClusterAsyncCommands<byte[], byte[]> connection = redis;
        if (connection == null) {
            redis = connection = connect.get();
        }
        return connection;
    }

    @Override
    public CompletableFuture<?> pageChanged(String id, long fence, String site, Instant committedAt) {
        RedisClusterAsyncCommands<byte[], byte[]> redis = redis();
        byte[][] pageKeys = {bytes(keys.page(id)), bytes(keys.pageFence(id))};
        byte[] fenceTtl = fence == PageCacheProtocol.UNVERSIONED_DELETE_FENCE ? UNVERSIONED_DELETE_FENCE_TTL : FENCE_TTL;
        CompletableFuture<Long> invalidated = invalidate(redis, pageKeys, bytes(Long.toString(fence)), fenceTtl);
        CompletableFuture<?> retired = site == null ? CompletableFuture.completedFuture(null)
                : redis.incr(bytes(keys.siteGeneration(site))).toCompletableFuture();
        return CompletableFuture.allOf(invalidated, retired).thenRun(() -> {
            (Long.valueOf(1).equals(invalidated.join()) ? dropped : fenced).increment();
            if (fence != PageCacheProtocol.UNVERSIONED_DELETE_FENCE) {
                probe.applied(id, fence);
            }
            if (committedAt != null) {
                Duration since = Duration.between(committedAt, Instant.now());
                lag.record(since.isNegative() ? Duration.ZERO : since);
            }
        });
    }

    /** The script by its digest; its text once after Redis forgot it (a restart, SCRIPT FLUSH). */
    private CompletableFuture<Long> invalidate(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[][] pageKeys, byte[]... args) {
        return redis.<Long>evalsha(INVALIDATE_SHA, ScriptOutputType.INTEGER, pageKeys, args).toCompletableFuture()
                .exceptionallyCompose(error -> unwrap(error) instanceof RedisNoScriptException
                        ? redis.<Long>eval(INVALIDATE, ScriptOutputType.INTEGER, pageKeys, args).toCompletableFuture()
                        : CompletableFuture.failedFuture(error));
    }

    @Override
    public CompletableFuture<?> siteStats(Map<String, SiteStats> stats) {
        CompletableFuture<?>[] written = stats.entrySet().stream()
                .map(site -> redis().set(bytes(keys.siteStats(site.getKey())), bytes(site.getValue().toJson())).toCompletableFuture())
                .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(written).thenRun(() -> statsPublished.increment(stats.size()));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
