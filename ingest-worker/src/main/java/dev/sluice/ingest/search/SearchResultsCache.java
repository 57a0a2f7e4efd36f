package dev.sluice.ingest.search;

import dev.sluice.core.cache.RedisKeys;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The API's cached search results, retired by generation after each committed batch: the global search generation
 * (searches across sites) and the search generation of each site the batch touched (searches within a site). The
 * indexer does this, not the cache invalidator, because only it knows when {@code page_search} has changed: a
 * retirement on the change event would race the indexer and let a reader cache the old results anew. Best effort:
 * if Redis is away the entries expire by their time to live ({@code sluice.api.read.search-ttl}).
 */
final class SearchResultsCache {

    private static final Logger log = LoggerFactory.getLogger(SearchResultsCache.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Counter failures;

    SearchResultsCache(StringRedisTemplate redis, RedisKeys keys, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.failures = Counter.builder("sluice.search.cache.retire.failures")
                .description("Batches whose cached search results could not be retired (they expire by their TTL)").register(meters);
    }

    /**
     * One round trip for all the increments, on the application's shared connection: Spring's pipelining would open a
     * dedicated connection (a new TCP connection per batch, without a pool).
     */
    void retire(Set<String> sites) {
        try {
            redis.execute((RedisCallback<Void>) connection -> {
                @SuppressWarnings("unchecked")
                RedisClusterAsyncCommands<byte[], byte[]> shared = (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
                List<RedisFuture<Long>> increments = new ArrayList<>();
                increments.add(shared.incr(keys.searchGeneration().getBytes(StandardCharsets.UTF_8)));
                for (String site : sites) {
                    if (site != null) {
                        increments.add(shared.incr(keys.siteSearchGeneration(site).getBytes(StandardCharsets.UTF_8)));
                    }
                }
                if (!LettuceFutures.awaitAll(TIMEOUT, increments.toArray(RedisFuture[]::new))) {
                    throw new IllegalStateException("Redis did not answer within " + TIMEOUT);
                }
                return null;
            });
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("Could not retire cached search results: {}", e.toString());
        }
    }
}
