package dev.sluice.api.read;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Cache-aside reads of one page. Concurrent misses of one page in this instance share one PostgreSQL read (and one
 * fill): a hot page that just got invalidated costs the database one query per instance, not one per reader.
 */
@Component
class PageReads {

    private final PageCache cache;
    private final PageRows rows;
    private final ConcurrentMap<String, Mono<StoredPage>> inFlight = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;
    private final Counter coalesced;

    PageReads(PageCache cache, PageRows rows, MeterRegistry meters) {
        this.cache = cache;
        this.rows = rows;
        this.hits = Counter.builder("sluice.api.cache.lookups").tag("kind", "page").tag("result", "hit").register(meters);
        this.misses = Counter.builder("sluice.api.cache.lookups").tag("kind", "page").tag("result", "miss").register(meters);
        this.coalesced = Counter.builder("sluice.api.cache.stampede.suppressed").tag("kind", "page")
                .description("Misses that waited for another reader's database read instead of their own").register(meters);
    }

    /** From the cache if there, else from PostgreSQL (then offered to the cache). */
    Mono<StoredPage> read(String id) {
        return cache.lookup(id)
                .doOnNext(hit -> hits.increment())
                .switchIfEmpty(Mono.defer(() -> {
                    misses.increment();
                    return loadOnce(id);
                }));
    }

    /** Straight from PostgreSQL (after a consistency wait: the cache may still hold the version before the write). */
    Mono<StoredPage> readFresh(String id) {
        return loadOnce(id);
    }

    private Mono<StoredPage> loadOnce(String id) {
        boolean[] mine = {false};
        Mono<StoredPage> shared = inFlight.computeIfAbsent(id, key -> {
            mine[0] = true;
            return rows.byId(key)
                    .flatMap(page -> cache.fill(key, page).thenReturn(page))
                    .doFinally(signal -> inFlight.remove(key))
                    .cache();
        });
        if (!mine[0]) {
            coalesced.increment();
        }
        return shared;
    }
}
