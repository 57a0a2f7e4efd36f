package dev.sluice.core.cache;

import java.util.Objects;

/**
 * The Redis key scheme, shared by the API (which fills the cache), the invalidator (which clears it) and the
 * workers (which publish their applied positions). Keys that one script must touch together share a hash tag
 * (the part in braces), so the scheme also holds on a Redis Cluster.
 *
 * <pre>
 * &lt;prefix&gt;page:{&lt;id&gt;}                       a cached page (or its "absent" marker), with its version
 * &lt;prefix&gt;page:{&lt;id&gt;}:fence                 highest version the invalidator has seen: a fill below it is refused
 * &lt;prefix&gt;page:{&lt;id&gt;}:lease                 held briefly by the one API instance reading a missed page from PostgreSQL
 * &lt;prefix&gt;site:{&lt;site&gt;}:gen                 the site's list generation: bumping it retires every cached list page
 * &lt;prefix&gt;site:{&lt;site&gt;}:list:&lt;gen&gt;:&lt;rest&gt;   one cached list page of a site
 * &lt;prefix&gt;site:{&lt;site&gt;}:stats               per-site statistics (JSON, written by the invalidator)
 * &lt;prefix&gt;site:{&lt;site&gt;}:search-gen          the site's search generation: retires its site-scoped searches
 * &lt;prefix&gt;site:{&lt;site&gt;}:search:&lt;gen&gt;:&lt;digest&gt; one cached site-scoped search result page
 * &lt;prefix&gt;search:gen                        the search generation: retires every unscoped search
 * &lt;prefix&gt;search:&lt;gen&gt;:&lt;digest&gt;            one cached search result page
 * &lt;prefix&gt;applied:{&lt;topic&gt;}                hash: partition → next offset applied to PostgreSQL
 * &lt;prefix&gt;ratelimit:{&lt;key id&gt;}             the token bucket of one API key
 * </pre>
 */
public record RedisKeys(String prefix) {

    public static final String DEFAULT_PREFIX = "sluice:";

    public RedisKeys {
        Objects.requireNonNull(prefix, "prefix");
        if (prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
            throw new IllegalArgumentException("the key prefix must not contain hash-tag braces: " + prefix);
        }
    }

    public static RedisKeys defaults() {
        return new RedisKeys(DEFAULT_PREFIX);
    }

    public String page(String id) {
        return prefix + "page:{" + id + "}";
    }

    public String pageFence(String id) {
        return prefix + "page:{" + id + "}:fence";
    }

    public String pageLease(String id) {
        return prefix + "page:{" + id + "}:lease";
    }

    public String siteGeneration(String site) {
        return prefix + "site:{" + site + "}:gen";
    }

    public String siteList(String site, long generation, String rest) {
        return prefix + "site:{" + site + "}:list:" + generation + ":" + rest;
    }

    public String siteStats(String site) {
        return prefix + "site:{" + site + "}:stats";
    }

    public String siteSearchGeneration(String site) {
        return prefix + "site:{" + site + "}:search-gen";
    }

    public String siteSearch(String site, long generation, String digest) {
        return prefix + "site:{" + site + "}:search:" + generation + ":" + digest;
    }

    public String searchGeneration() {
        return prefix + "search:gen";
    }

    public String search(long generation, String digest) {
        return prefix + "search:" + generation + ":" + digest;
    }

    public String appliedPositions(String topic) {
        return prefix + "applied:{" + topic + "}";
    }

    public String rateLimit(String apiKeyId) {
        return prefix + "ratelimit:{" + apiKeyId + "}";
    }
}
