package dev.sluice.api.cache;

/** Where a read was answered from: the latency metric's {@code source} tag. */
public enum ReadSource {
    /** Redis. */
    CACHE,
    /** PostgreSQL on a cache miss (the result was offered to the cache). */
    DATABASE,
    /** PostgreSQL alone, Redis being down, slow or behind an open breaker. */
    DEGRADED;

    public String tag() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
