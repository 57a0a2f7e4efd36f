package dev.sluice.backup.retention;

import dev.sluice.backup.store.Manifest;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which backups to keep: the newest {@code keepLast}, plus the newest of each of the last {@code keepDaily} days,
 * {@code keepWeekly} ISO weeks and {@code keepMonthly} months (UTC, counted back from now, today included). A
 * backup kept for any reason is kept; the rest may be deleted. The newest backup is always kept.
 */
public record Retention(int keepLast, int keepDaily, int keepWeekly, int keepMonthly) {

    /** Kept backups with why, newest first, and the ones to delete, oldest first. */
    public record Plan(Map<Manifest, List<String>> kept, List<Manifest> deleted) {}

    public Retention {
        if (keepLast < 1) {
            throw new IllegalArgumentException("keep-last must be at least 1: the newest backup is always kept");
        }
        if (keepDaily < 0 || keepWeekly < 0 || keepMonthly < 0) {
            throw new IllegalArgumentException("keep counts cannot be negative");
        }
    }

    public Plan plan(List<Manifest> backups, Clock clock) {
        List<Manifest> newestFirst = backups.stream().sorted(Comparator.comparing(Manifest::snapshotAt).reversed()).toList();
        Map<Manifest, List<String>> kept = new LinkedHashMap<>();
        for (int i = 0; i < Math.min(keepLast, newestFirst.size()); i++) {
            keep(kept, newestFirst.get(i), "last " + keepLast);
        }
        LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        keepNewestPer(kept, newestFirst, keepDaily, i -> today.minusDays(i), date -> date, "daily");
        LocalDate monday = today.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        keepNewestPer(kept, newestFirst, keepWeekly, i -> monday.minusWeeks(i),
                date -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)), "weekly");
        YearMonth month = YearMonth.from(today);
        keepNewestPer(kept, newestFirst, keepMonthly, i -> month.minusMonths(i), YearMonth::from, "monthly");

        List<Manifest> deleted = new ArrayList<>(newestFirst.stream().filter(backup -> !kept.containsKey(backup)).toList());
        java.util.Collections.reverse(deleted);
        return new Plan(kept, deleted);
    }

    /** For each of the last {@code count} periods, keeps the newest backup taken in it. */
    private static <P> void keepNewestPer(Map<Manifest, List<String>> kept, List<Manifest> newestFirst, int count,
            Function<Integer, P> period, Function<LocalDate, P> periodOf, String reason) {
        for (int i = 0; i < count; i++) {
            P wanted = period.apply(i);
            newestFirst.stream()
                    .filter(backup -> periodOf.apply(LocalDate.ofInstant(backup.snapshotAt(), ZoneOffset.UTC)).equals(wanted))
                    .findFirst()
                    .ifPresent(backup -> keep(kept, backup, reason + " " + wanted));
        }
    }

    private static void keep(Map<Manifest, List<String>> kept, Manifest backup, String reason) {
        kept.computeIfAbsent(backup, b -> new ArrayList<>()).add(reason);
    }
}
