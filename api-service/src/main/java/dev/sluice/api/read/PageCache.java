package dev.sluice.api.read;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The page cache in Redis, as the API sees it: look up an entry, fill one with what PostgreSQL said (refused by
 * Redis if the invalidator has seen a newer version: {@link PageCacheProtocol}). Redis slow or down is never an
 * error for the reader: the lookup counts as a miss and the fill is skipped, both counted as degraded.
 */
@Component
class PageCache {

    private static final Logger log = LoggerFactory.getLogger(PageCache.class);
    private static final RedisScript<Long> FILL = RedisScript.of(PageCacheProtocol.FILL, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;
    private final ReadProperties properties;
    private final Counter degraded;
    private final Counter refusedFills;

    PageCache(ReactiveStringRedisTemplate redis, RedisKeys keys, ReadProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.properties = properties;
        this.degraded = Counter.builder("sluice.api.read.degraded").description("Reads that went to PostgreSQL alone because Redis did not answer in time")
                .register(meters);
        this.refusedFills = Counter.builder("sluice.api.cache.fills.refused").description("Cache fills refused as stale (a newer version was already invalidated)")
                .register(meters);
    }

    /** The cached entry, or empty on a miss (or when Redis does not answer in time). */
    Mono<StoredPage> lookup(String id) {
        return redis.<String, String>opsForHash().multiGet(keys.page(id), List.of("v", "d"))
                .timeout(properties.redisTimeout())
                .flatMap(values -> values.get(0) == null ? Mono.empty()
                        : Mono.just(new StoredPage(Long.parseLong(values.get(0)), values.get(1) == null || values.get(1).isEmpty() ? null : values.get(1))))
                .onErrorResume(e -> {
                    degraded.increment();
                    log.debug("Redis lookup of {} failed, reading PostgreSQL: {}", id, e.toString());
                    return Mono.empty();
                });
    }

    /** Offers what was read to the cache; never fails the read. */
    Mono<Void> fill(String id, StoredPage page) {
        return redis.execute(FILL, List.of(keys.page(id), keys.pageFence(id)),
                        List.of(Long.toString(page.version()), page.exists() ? page.json() : "", Long.toString(properties.cacheTtl().toMillis())))
                .next()
                .timeout(properties.redisTimeout())
                .doOnNext(stored -> {
                    if (stored == 0) {
                        refusedFills.increment();
                    }
                })
                .onErrorResume(e -> {
                    degraded.increment();
                    return Mono.empty();
                })
                .then();
    }
}
