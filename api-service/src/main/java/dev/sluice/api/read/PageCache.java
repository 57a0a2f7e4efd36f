package dev.sluice.api.read;

import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.cache.RedisGuard;
import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * The page cache in Redis, as the API sees it: look up an entry, take the read lease of a missed page, fill an
 * entry with what PostgreSQL said (refused by Redis if the invalidator has seen a newer version:
 * {@link PageCacheProtocol}). Every call goes through the {@link RedisGuard}: Redis slow or down is never an error
 * for the reader.
 */
@Component
class PageCache {

    static final String KIND = "page";
    private static final RedisScript<Long> FILL = RedisScript.of(PageCacheProtocol.FILL, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;
    private final RedisGuard guard;
    private final ReadProperties properties;
    private final String instance = UUID.randomUUID().toString();
    private final Counter refusedFills;

    PageCache(ReactiveStringRedisTemplate redis, RedisKeys keys, RedisGuard guard, ReadProperties properties, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.guard = guard;
        this.properties = properties;
        this.refusedFills = Counter.builder("sluice.api.cache.fills.refused").description("Cache fills refused as stale (a newer version was already invalidated)")
                .register(meters);
    }

    /** What a lookup found: the entry, nothing (a miss), or no answer from Redis. */
    sealed interface Lookup {
        record Hit(StoredPage page) implements Lookup {}

        record Miss() implements Lookup {}

        record Unavailable() implements Lookup {}
    }

    Mono<Lookup> lookup(String id) {
        return guard.call(KIND, redis.<String, String>opsForHash().multiGet(keys.page(id), List.of("v", "d"))
                        .<Lookup>map(values -> values.get(0) == null ? new Lookup.Miss()
                                : new Lookup.Hit(new StoredPage(Long.parseLong(values.get(0)), values.get(1) == null || values.get(1).isEmpty() ? null : values.get(1)))))
                .defaultIfEmpty(new Lookup.Unavailable());
    }

    /**
     * Asks for the right to read the page from PostgreSQL for every instance: true if this instance got it (or
     * Redis cannot say: then everyone reads), false if another instance is reading it now.
     */
    Mono<Boolean> takeLease(String id) {
        return guard.call(KIND, redis.opsForValue().setIfAbsent(keys.pageLease(id), instance, properties.leaseTtl()))
                .defaultIfEmpty(true);
    }

    /** Offers what was read to the cache, releasing the lease; never fails the read. */
    Mono<Void> fill(String id, StoredPage page) {
        return guard.call(KIND, redis.execute(FILL, List.of(keys.page(id), keys.pageFence(id), keys.pageLease(id)),
                                List.of(Long.toString(page.version()), page.exists() ? page.json() : "", Long.toString(properties.cacheTtl().toMillis())))
                        .next())
                .doOnNext(stored -> {
                    if (stored == 0) {
                        refusedFills.increment();
                    }
                })
                .then();
    }

    /** A read of PostgreSQL in place of the cache, within the guard's bound on such reads. */
    <T> Mono<T> withoutCache(Mono<T> databaseRead) {
        return guard.withoutCache(KIND, databaseRead);
    }

    Duration leaseTtl() {
        return properties.leaseTtl();
    }
}
