package dev.sluice.core.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * How the API (which fills the page cache) and the invalidator (which clears it) agree without locks, so that a
 * reader can never put back a version older than one already invalidated (no stale set):
 *
 * <ul>
 *   <li>Each page entry carries the {@code pages.version} it was read at (the tombstone's version for a deleted
 *       page, 0 for a page never stored: negative entries are versioned too).
 *   <li>The invalidator, for each change to version v, raises the page's <em>fence</em> to v and drops a cached
 *       entry older than v ({@link #INVALIDATE}).
 *   <li>A reader's fill is refused if its version is below the fence or below the cached entry ({@link #FILL}).
 *       Both scripts run atomically in Redis, and the entry and its fence share a hash tag.
 * </ul>
 *
 * A slow reader that loaded v, then lost the race to an invalidation of v+1, is refused; a 404 read before an
 * insert (version 0 against a fence of 1) likewise. A row deleted by hand leaves no version in its change event:
 * its fence is raised to {@link #UNVERSIONED_DELETE_FENCE} for {@link #UNVERSIONED_DELETE_FENCE_TTL}, longer than
 * any read can take.
 */
public final class PageCacheProtocol {

    /** KEYS page, fence[, lease to release]; ARGV version, payload, ttl ms. Returns 1 if stored, 0 if refused as stale. */
    public static final String FILL = script("fill-page.lua");

    /** KEYS page, fence; ARGV version, fence ttl ms. Returns 1 if an entry was dropped. */
    public static final String INVALIDATE = script("invalidate-page.lua");

    /** How long a fence outlives its change: far longer than any read between PostgreSQL and Redis takes. */
    public static final Duration FENCE_TTL = Duration.ofHours(24);

    /** The fence of a row deleted without a version (by hand): above every version, for a while. */
    public static final long UNVERSIONED_DELETE_FENCE = 1L << 52;

    public static final Duration UNVERSIONED_DELETE_FENCE_TTL = Duration.ofMinutes(2);

    private PageCacheProtocol() {}

    private static String script(String name) {
        try (InputStream in = PageCacheProtocol.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing script " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
