package dev.sluice.core.page;

import java.time.Duration;

/**
 * Size and sanity limits applied to every posted page. The defaults fit real crawls: in the PostgreSQL manual
 * corpus, bodies have a median of 6.9 KB and a maximum of 445 KB.
 *
 * @param maxUrlLength longest accepted URL, in characters (default 4096)
 * @param maxTitleLength longest title, in characters (default 4096)
 * @param maxContentTypeLength longest content type, in characters (default 255)
 * @param maxBodyBytes largest body, in UTF-8 bytes (default 4 MiB)
 * @param maxMetadataBytes largest metadata object, serialised, in bytes (default 16 KiB)
 * @param maxClockSkew how far in the future {@code fetched_at} may be (default 5 minutes): a page from the
 *     future would win over every real fetch of it until then
 */
public record PageLimits(
        int maxUrlLength,
        int maxTitleLength,
        int maxContentTypeLength,
        long maxBodyBytes,
        int maxMetadataBytes,
        Duration maxClockSkew) {

    public static final PageLimits DEFAULTS = new PageLimits(4096, 4096, 255, 4L * 1024 * 1024, 16 * 1024, Duration.ofMinutes(5));
}
