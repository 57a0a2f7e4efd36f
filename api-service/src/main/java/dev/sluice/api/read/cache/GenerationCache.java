package dev.sluice.api.read.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Cached result pages (a site's list, a search) under a <em>generation</em>: the entry's key contains the current
 * value of a counter that whoever changes the underlying data bumps after committing (the invalidator for a
 * site's pages, the search indexer for search results). Bumping retires exactly the entries of that site (or of
 * search), and the old ones expire on their own.
 *
 * <p>No stale set: a reader reads the generation <em>before</em> it reads PostgreSQL, so a result that may predate
 * a change is stored under the generation the change has already retired, where no reader looks again.
 */
@Component
public class GenerationCache {

    private final ReactiveStringRedisTemplate redis;
    private final RedisGuard guard;
    private final MeterRegistry meters;
    private final SingleFlight<String, String> loads;
    private final Map<String, Counter> lookups = new ConcurrentHashMap<>();

    GenerationCache(ReactiveStringRedisTemplate redis, RedisGuard guard, MeterRegistry meters) {
        this.redis = redis;
        this.guard = guard;
        this.meters = meters;
        this.loads = new SingleFlight<>(() -> {});
    }

    /** A result and where it came from. */
    public record Result(String json, ReadSource source) {}

    /**
     * @param kind the metric tag (list, search)
     * @param generationKey the counter that retires the entries
     * @param entryKey the entry's key for a generation
     * @param load reads the result from PostgreSQL
     */
    public Mono<Result> get(String kind, String generationKey, LongFunction<String> entryKey, Duration ttl, Supplier<Mono<String>> load) {
        return guard.call(kind, redis.opsForValue().get(generationKey).map(Long::parseLong).defaultIfEmpty(0L))
                .map(generation -> entryKey.apply(generation))
                .flatMap(key -> guard.call(kind, redis.opsForValue().get(key))
                        .doOnNext(hit -> lookup(kind, "hit"))
                        .map(json -> new Result(json, ReadSource.CACHE))
                        .switchIfEmpty(Mono.defer(() -> {
                            lookup(kind, "miss");
                            return loads.load(key, k -> load.get().flatMap(json ->
                                    guard.call(kind, redis.opsForValue().set(k, json, ttl)).thenReturn(json)))
                                    .map(json -> new Result(json, ReadSource.DATABASE));
                        })))
                .switchIfEmpty(Mono.defer(() -> guard.withoutCache(kind, load.get()).map(json -> new Result(json, ReadSource.DEGRADED))));
    }

    private void lookup(String kind, String result) {
        lookups.computeIfAbsent(kind + '/' + result, key -> Counter.builder("sluice.api.cache.lookups").tag("kind", kind).tag("result", result)
                .description("Cache lookups by kind of entry and result").register(meters)).increment();
    }
}
