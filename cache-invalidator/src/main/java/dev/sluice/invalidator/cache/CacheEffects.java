package dev.sluice.invalidator.cache;

import dev.sluice.core.stats.SiteStats;
import java.time.Instant;
import java.util.Map;

/** What the change feed does to the cache. */
interface CacheEffects {

    /**
     * A page changed: raise its fence to {@code fence} and drop an older cached entry, and retire every cached list
     * and search of its site ({@code site} null when unknown). Both happen before this returns.
     */
    void pageChanged(String id, long fence, String site);

    /** Publishes the statistics of these sites. */
    void siteStats(Map<String, SiteStats> stats);

    /** The change committed in PostgreSQL at {@code committedAt} is now applied to the cache. */
    void applied(Instant committedAt);
}
