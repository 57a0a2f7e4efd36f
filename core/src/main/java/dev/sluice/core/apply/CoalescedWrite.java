package dev.sluice.core.apply;

import dev.sluice.core.page.PageUrl;
import java.util.List;

/**
 * What one batch asks of one page: the newest write (the one whose content wins), and the earlier writes of the
 * batch that were each newer than everything before them in arrival order. Applied one by one, each of those
 * would have changed the page too; {@code pages.version} counts them, so the version is the same whether writes
 * arrive in one batch or many.
 *
 * @param winner the newest write of the page in this batch
 * @param earlierChanges earlier writes that would each have changed the page, in arrival order, oldest first
 * @param url the page's URL if any write of the batch carried it (a delete does not), else null: a tombstone keeps
 *     its page's URL and site when known, for readers and for the precise invalidation of the site's lists
 */
public record CoalescedWrite(PageWrite winner, List<PageWrite> earlierChanges, PageUrl url) {

    public CoalescedWrite {
        earlierChanges = List.copyOf(earlierChanges);
    }

    static PageUrl urlOf(PageWrite write) {
        return write.envelope().page() == null ? null : write.envelope().page().url();
    }
}
