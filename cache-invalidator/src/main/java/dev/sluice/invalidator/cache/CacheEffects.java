package dev.sluice.invalidator.cache;

import java.time.Instant;

/** What a change of a page does to the cache: its own entry, and every cached list of its site. */
interface CacheEffects {

    /** Raises the page's fence to {@code version} and drops an older cached entry. */
    void invalidatePage(String id, long version);

    /** Retires every cached list page of the site (its generation moves on). */
    void retireSiteLists(String site);

    /** The change committed in PostgreSQL at {@code committedAt} is now applied to the cache. */
    void applied(Instant committedAt);
}
