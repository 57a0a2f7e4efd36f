package dev.sluice.core.page;

import java.time.Instant;
import java.util.Objects;
import tools.jackson.databind.node.ObjectNode;

/**
 * A scraped page, validated, as the pipeline carries it.
 *
 * @param url normalised URL, with the page id and site derived from it
 * @param fetchedAt when the crawler fetched it (microsecond precision, as PostgreSQL keeps it); for one page the
 *     newer fetch wins
 * @param status HTTP status the crawler saw, or null
 * @param title page title, or null
 * @param contentType media type of the body, or null
 * @param body the whole document, or null
 * @param metadata free-form JSON object, never null (empty when not sent)
 */
public record Page(
        PageUrl url,
        Instant fetchedAt,
        Integer status,
        String title,
        String contentType,
        String body,
        ObjectNode metadata) {

    public Page {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(fetchedAt, "fetchedAt");
        Objects.requireNonNull(metadata, "metadata");
    }

    public String id() {
        return url.id();
    }

    public String site() {
        return url.site();
    }
}
