package dev.sluice.api.read.cache;

import java.util.Locale;

/** Where a read was answered from: the latency metric's {@code source} tag. */
public enum ReadSource {
    /** Redis. */
    CACHE,
    /** PostgreSQL on a cache miss (the result was offered to the cache). */
    DATABASE,
    /** PostgreSQL alone, Redis being down, slow or behind an open breaker. */
    DEGRADED;

    private final String tag = name().toLowerCase(Locale.ROOT);

    public String tag() {
        return tag;
    }
}
