package dev.sluice.invalidator.cache;

import dev.sluice.core.stats.SiteStats;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What the topology asks of the cache. Effects are asynchronous: each returns at once with a future that completes
 * when the effect has landed; the topology holds its commit until they all have ({@link PendingEffects}).
 */
interface CacheEffects {

    /**
     * A page changed (committed in PostgreSQL at {@code committedAt}, null when unknown): raise its fence to
     * {@code fence} and drop an older cached entry, and retire every cached list and search of its site ({@code site}
     * null when unknown).
     */
    CompletableFuture<?> pageChanged(String id, long fence, String site, Instant committedAt);

    /** Publishes the statistics of these sites. */
    CompletableFuture<?> siteStats(Map<String, SiteStats> stats);
}
