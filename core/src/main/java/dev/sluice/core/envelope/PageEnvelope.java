package dev.sluice.core.envelope;

import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageUrl;
import java.time.Instant;
import java.util.Objects;

/**
 * One write on {@code pages.v1}, keyed by page id.
 *
 * <p>Ordering: for one page, the write with the newer {@link #orderingTime()} wins, ties going to the later write
 * (the higher offset). An upsert is ordered by the page's {@code fetched_at}; a delete, which has no fetch, by the
 * moment it was accepted, so a fetch older than the delete cannot resurrect the page.
 *
 * @param op upsert or delete
 * @param id page id, derived from the URL for an upsert
 * @param acceptedAt when the API accepted the write
 * @param client name of the API key that sent it
 * @param page the page, for an upsert; null for a delete
 */
public record PageEnvelope(Op op, String id, Instant acceptedAt, String client, Page page) {

    /** The version of the envelope format this code writes; readers refuse versions they do not know. */
    public static final int FORMAT_VERSION = 1;

    public PageEnvelope {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(acceptedAt, "acceptedAt");
        Objects.requireNonNull(client, "client");
        if (!PageUrl.isValidId(id)) {
            throw new IllegalArgumentException("not a page id: " + id);
        }
        if ((op == Op.UPSERT) != (page != null)) {
            throw new IllegalArgumentException("an upsert carries a page, a delete does not");
        }
        if (page != null && !page.id().equals(id)) {
            throw new IllegalArgumentException("id " + id + " is not the id of " + page.url().normalized());
        }
    }

    public static PageEnvelope upsert(Page page, Instant acceptedAt, String client) {
        return new PageEnvelope(Op.UPSERT, page.id(), acceptedAt, client, page);
    }

    public static PageEnvelope delete(String id, Instant acceptedAt, String client) {
        return new PageEnvelope(Op.DELETE, id, acceptedAt, client, null);
    }

    /** The time this write is ordered by against other writes of the same page. */
    public Instant orderingTime() {
        return op == Op.UPSERT ? page.fetchedAt() : acceptedAt;
    }
}
