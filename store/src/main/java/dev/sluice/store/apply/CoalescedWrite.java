package dev.sluice.store.apply;

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
 * @param then what the batch asks of the page once this is applied, or null (almost always): the writes after a
 *     delete, which are compared with its tombstone as stored (its time depends on the row), in a second round
 */
public record CoalescedWrite(PageWrite winner, List<PageWrite> earlierChanges, PageUrl url, CoalescedWrite then) {

    public CoalescedWrite {
        earlierChanges = List.copyOf(earlierChanges);
    }

    public CoalescedWrite(PageWrite winner, List<PageWrite> earlierChanges, PageUrl url) {
        this(winner, earlierChanges, url, null);
    }

    /** Every write this stands for, rounds included, in arrival order. */
    public List<PageWrite> writes() {
        List<PageWrite> all = new java.util.ArrayList<>(earlierChanges);
        all.add(winner);
        if (then != null) {
            all.addAll(then.writes());
        }
        return all;
    }

    static PageUrl urlOf(PageWrite write) {
        return write.envelope().page() == null ? null : write.envelope().page().url();
    }
}
