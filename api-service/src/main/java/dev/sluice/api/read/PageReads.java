package dev.sluice.api.read;

import dev.sluice.api.read.cache.ReadSource;
import dev.sluice.api.read.cache.SingleFlight;
import dev.sluice.core.token.ConsistencyToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Cache-aside reads of one page, with no stampede: concurrent misses of one page in this instance share one
 * PostgreSQL read ({@link SingleFlight}), and across instances only the holder of the page's short read lease
 * reads it; the others poll the cache for its fill (as with Facebook memcache's leases) and read PostgreSQL
 * themselves only if the lease runs out first.
 */
@Component
class PageReads {

    private static final Duration LEASE_POLL = Duration.ofMillis(5);

    private final PageCache cache;
    private final PageRows rows;
    private final SingleFlight<String, Read> loads;
    private final SingleFlight<String, Read> freshLoads;
    private final Counter hits;
    private final Counter misses;
    private final Counter waitedForLease;

    PageReads(PageCache cache, PageRows rows, MeterRegistry meters) {
        this.cache = cache;
        this.rows = rows;
        this.hits = lookups(meters, "hit");
        this.misses = lookups(meters, "miss");
        Counter sharedInInstance = Counter.builder("sluice.api.cache.stampede.suppressed").tag("kind", "page").tag("scope", "instance")
                .description("Misses that waited for another reader's database read instead of their own").register(meters);
        this.waitedForLease = Counter.builder("sluice.api.cache.stampede.suppressed").tag("kind", "page").tag("scope", "lease")
                .description("Misses that waited for another reader's database read instead of their own").register(meters);
        this.loads = new SingleFlight<>(sharedInInstance::increment);
        this.freshLoads = new SingleFlight<>(sharedInInstance::increment);
    }

    private static Counter lookups(MeterRegistry meters, String result) {
        return Counter.builder("sluice.api.cache.lookups").tag("kind", "page").tag("result", result)
                .description("Cache lookups by kind of entry and result").register(meters);
    }

    /** A page and where it came from. */
    record Read(StoredPage page, ReadSource source) {}

    /** From the cache if there, else from PostgreSQL (then offered to the cache). */
    Mono<Read> read(String id) {
        return cache.lookup(id).flatMap(lookup -> {
            if (lookup instanceof PageCache.Lookup.Hit hit) {
                hits.increment();
                return Mono.just(new Read(hit.page(), ReadSource.CACHE));
            }
            if (lookup instanceof PageCache.Lookup.Miss) {
                misses.increment();
                return loads.load(id, this::loadUnderLease);
            }
            return loads.load(id, key -> cache.withoutCache(rows.byId(key)).map(page -> new Read(page, ReadSource.DEGRADED))); // Redis did not answer
        });
    }

    /**
     * Straight from PostgreSQL, for a read whose write is known applied: {@code applied} are positions the workers had
     * applied when its consistency wait ended, and they cover its token. Neither the cache nor an ordinary miss will
     * do: the cache may still hold the version before the write, and a miss in flight may have read PostgreSQL before
     * it, or be waiting for another instance's fill, which may be older still. It shares only a load that started
     * after positions covering its own token were applied.
     */
    Mono<Read> readFresh(String id, ConsistencyToken token, Map<Integer, Long> applied) {
        return freshLoads.<Map<Integer, Long>>loadIf(id, applied, token::isCoveredBy, this::load);
    }

    private Mono<Read> loadUnderLease(String id) {
        return cache.takeLease(id).flatMap(mine -> mine ? load(id) : awaitOthersFill(id));
    }

    private Mono<Read> awaitOthersFill(String id) {
        waitedForLease.increment();
        return Flux.interval(LEASE_POLL, LEASE_POLL)
                .onBackpressureDrop() // a poll still waiting on Redis skips the next tick instead of failing the read
                .concatMap(tick -> cache.lookup(id))
                .filter(lookup -> !(lookup instanceof PageCache.Lookup.Miss))
                .next()
                .timeout(cache.leaseTtl(), Mono.empty())
                .flatMap(lookup -> lookup instanceof PageCache.Lookup.Hit hit ? Mono.just(new Read(hit.page(), ReadSource.CACHE)) : Mono.<Read>empty())
                .switchIfEmpty(Mono.defer(() -> load(id)));
    }

    private Mono<Read> load(String id) {
        return rows.byId(id).flatMap(page -> cache.fill(id, page).thenReturn(new Read(page, ReadSource.DATABASE)));
    }
}
