package dev.sluice.store.apply;

import dev.sluice.core.envelope.Op;
import dev.sluice.core.page.PageUrl;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reduces a batch to one write per page, keeping what {@code pages.version} needs to count (see {@link CoalescedWrite}).
 * A delete ends its page's run: the writes after it form the next round ({@link CoalescedWrite#then()}), applied
 * against its tombstone as stored.
 */
public final class BatchCoalescer {

    private BatchCoalescer() {}

    /** @param writes in arrival order (offset order within each partition, as polled) */
    public static List<CoalescedWrite> coalesce(List<PageWrite> writes) {
        Map<String, List<List<PageWrite>>> roundsByPage = new LinkedHashMap<>();
        Map<String, PageUrl> urls = new HashMap<>();
        for (PageWrite write : writes) {
            PageUrl url = CoalescedWrite.urlOf(write);
            if (url != null) {
                urls.putIfAbsent(write.id(), url);
            }
            List<List<PageWrite>> rounds = roundsByPage.computeIfAbsent(write.id(), id -> new ArrayList<>(1));
            List<PageWrite> changes = rounds.isEmpty() ? null : rounds.get(rounds.size() - 1);
            PageWrite latest = changes == null ? null : changes.get(changes.size() - 1);
            if (latest == null || latest.envelope().op() == Op.DELETE) {
                rounds.add(new ArrayList<>(List.of(write)));
            } else if (write.isNewerThan(latest) && !write.repeats(latest)) {
                changes.add(write.acceptedAfter(latest) ? write.orderedAfter(latest) : write);
            }
        }
        List<CoalescedWrite> coalesced = new ArrayList<>(roundsByPage.size());
        for (List<List<PageWrite>> rounds : roundsByPage.values()) {
            CoalescedWrite then = null;
            for (int i = rounds.size() - 1; i >= 0; i--) {
                List<PageWrite> changes = rounds.get(i);
                PageWrite winner = changes.get(changes.size() - 1);
                then = new CoalescedWrite(winner, changes.subList(0, changes.size() - 1), urls.get(winner.id()), then);
            }
            coalesced.add(then);
        }
        return coalesced;
    }
}
