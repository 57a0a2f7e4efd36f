package dev.sluice.core.apply;

import dev.sluice.core.page.PageUrl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reduces a batch to one write per page, keeping what {@code pages.version} needs to count (see {@link CoalescedWrite}). */
public final class BatchCoalescer {

    private BatchCoalescer() {}

    /** @param writes in arrival order (offset order within each partition, as polled) */
    public static List<CoalescedWrite> coalesce(List<PageWrite> writes) {
        Map<String, List<PageWrite>> changesByPage = new LinkedHashMap<>();
        Map<String, PageUrl> urls = new HashMap<>();
        for (PageWrite write : writes) {
            PageUrl url = CoalescedWrite.urlOf(write);
            if (url != null) {
                urls.putIfAbsent(write.id(), url);
            }
            List<PageWrite> changes = changesByPage.computeIfAbsent(write.id(), id -> new ArrayList<>(1));
            PageWrite latest = changes.isEmpty() ? null : changes.get(changes.size() - 1);
            if (latest == null || (write.isNewerThan(latest) && !write.repeats(latest))) {
                changes.add(write);
            }
        }
        List<CoalescedWrite> coalesced = new ArrayList<>(changesByPage.size());
        for (List<PageWrite> changes : changesByPage.values()) {
            PageWrite winner = changes.get(changes.size() - 1);
            coalesced.add(new CoalescedWrite(winner, changes.subList(0, changes.size() - 1), urls.get(winner.id())));
        }
        return coalesced;
    }
}
