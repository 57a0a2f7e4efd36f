package dev.sluice.api.read;

import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.cache.RedisGuard;
import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.data.redis.serializer.RedisSerializationContext;
import org.springframework.data.redis.serializer.RedisSerializer;
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

    private static final byte[] ABSENT = new byte[0];

    /** Keys and hash fields as text, values as the bytes Redis holds: the cached body is never decoded here. */
    private final ReactiveRedisTemplate<String, byte[]> redis;
    private final RedisKeys keys;
    private final RedisGuard guard;
    private final ReadProperties properties;
    private final byte[] instance = UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII);
    private final Counter refusedFills;

    PageCache(ReactiveRedisConnectionFactory redis, RedisKeys keys, RedisGuard guard, ReadProperties properties, MeterRegistry meters) {
        this.redis = new ReactiveRedisTemplate<>(redis, RedisSerializationContext.<String, byte[]>newSerializationContext(RedisSerializer.string())
                .value(RedisSerializer.byteArray()).hashKey(RedisSerializer.string()).hashValue(RedisSerializer.byteArray()).build());
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
        return guard.call(KIND, redis.<String, byte[]>opsForHash().multiGet(keys.page(id), List.of("v", "d"))
                        .<Lookup>map(values -> values.get(0) == null ? new Lookup.Miss()
                                : new Lookup.Hit(new StoredPage(Long.parseLong(ascii(values.get(0))), values.get(1) == null || values.get(1).length == 0 ? null : values.get(1)))))
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
                                List.of(ascii(Long.toString(page.version())), page.exists() ? page.json() : ABSENT, ascii(Long.toString(properties.cacheTtl().toMillis()))))
                        .next())
                .doOnNext(stored -> {
                    if (stored == 0) {
                        refusedFills.increment();
                    }
                })
                .then();
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** A read of PostgreSQL in place of the cache, within the guard's bound on such reads. */
    <T> Mono<T> withoutCache(Mono<T> databaseRead) {
        return guard.withoutCache(KIND, databaseRead);
    }

    Duration leaseTtl() {
        return properties.leaseTtl();
    }
}
