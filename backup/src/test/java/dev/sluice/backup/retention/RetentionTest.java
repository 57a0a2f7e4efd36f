package dev.sluice.backup.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.backup.store.Manifest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The retention policy on four months of backups every six hours, with the clock fixed rather than waited for. */
class RetentionTest {

    static final Instant NOW = Instant.parse("2026-11-22T09:30:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final List<Manifest> BACKUPS = everySixHoursFor(Duration.ofDays(120));

    @Test
    void keepsTheNewestAndTheNewestOfEachRecentDayWeekAndMonth() {
        Retention.Plan plan = new Retention(3, 7, 4, 6).plan(BACKUPS, CLOCK);

        List<Manifest> kept = List.copyOf(plan.kept().keySet());
        assertThat(kept).as("newest first").isSortedAccordingTo((a, b) -> b.snapshotAt().compareTo(a.snapshotAt()));
        assertThat(kept.subList(0, 3)).isEqualTo(newestFirst().subList(0, 3));
        for (int day = 0; day < 7; day++) {
            LocalDate date = LocalDate.ofInstant(NOW, ZoneOffset.UTC).minusDays(day);
            assertThat(kept).as("the newest of " + date).contains(newestOn(b -> date(b).equals(date)));
        }
        for (int week = 0; week < 4; week++) {
            LocalDate monday = LocalDate.ofInstant(NOW, ZoneOffset.UTC).minusWeeks(week).with(java.time.DayOfWeek.MONDAY);
            assertThat(kept).contains(newestOn(b -> date(b).with(java.time.DayOfWeek.MONDAY).equals(monday)));
        }
        for (int month = 0; month < 6; month++) {
            YearMonth wanted = YearMonth.from(LocalDate.ofInstant(NOW, ZoneOffset.UTC)).minusMonths(month);
            BACKUPS.stream().filter(b -> YearMonth.from(date(b)).equals(wanted)).findAny()
                    .ifPresent(any -> assertThat(kept).contains(newestOn(b -> YearMonth.from(date(b)).equals(wanted))));
        }
        assertThat(plan.kept().size() + plan.deleted().size()).isEqualTo(BACKUPS.size());
        assertThat(plan.deleted()).doesNotContainAnyElementsOf(kept);
        Map<String, List<String>> reasons = plan.kept().entrySet().stream()
                .collect(Collectors.toMap(e -> e.getKey().id(), Map.Entry::getValue));
        assertThat(reasons.get(newestFirst().get(0).id())).contains("last 3").anyMatch(r -> r.startsWith("daily"))
                .anyMatch(r -> r.startsWith("weekly")).anyMatch(r -> r.startsWith("monthly"));
        // the last 3 (today 03:30, yesterday 21:30 and 15:30), 5 more days (20th to 16th), 3 more weeks (the Sundays
        // 15, 8 and 1 Nov), 4 more months (the last backups of Oct, Sep, Aug and Jul; none before 25 Jul)
        assertThat(kept).hasSize(3 + 5 + 3 + 4);
    }

    @Test
    void theNewestIsAlwaysKeptAndNothingElseWhenAskedForNothingMore() {
        Retention.Plan plan = new Retention(1, 0, 0, 0).plan(BACKUPS, CLOCK);

        assertThat(plan.kept().keySet()).containsExactly(newestFirst().get(0));
        assertThat(plan.deleted()).hasSize(BACKUPS.size() - 1).first().isEqualTo(newestFirst().get(BACKUPS.size() - 1));
        assertThatThrownBy(() -> new Retention(0, 7, 4, 6)).hasMessageContaining("at least 1");
    }

    @Test
    void aPlanDependsOnTheClockNotOnWaiting() {
        Clock muchLater = Clock.fixed(NOW.plus(Duration.ofDays(400)), ZoneOffset.UTC);

        Retention.Plan plan = new Retention(2, 7, 4, 6).plan(BACKUPS, muchLater);

        assertThat(plan.kept().keySet()).as("only the newest two: no day, week or month of the window has a backup")
                .containsExactlyElementsOf(newestFirst().subList(0, 2));
    }

    private static LocalDate date(Manifest backup) {
        return LocalDate.ofInstant(backup.snapshotAt(), ZoneOffset.UTC);
    }

    private static Manifest newestOn(java.util.function.Predicate<Manifest> period) {
        return newestFirst().stream().filter(period).findFirst().orElseThrow();
    }

    private static List<Manifest> newestFirst() {
        return BACKUPS.stream().sorted((a, b) -> b.snapshotAt().compareTo(a.snapshotAt())).toList();
    }

    private static List<Manifest> everySixHoursFor(Duration span) {
        List<Manifest> backups = new ArrayList<>();
        for (Instant at = NOW.minus(span); !at.isAfter(NOW.minus(Duration.ofMinutes(30))); at = at.plus(Duration.ofHours(6))) {
            backups.add(new Manifest(Manifest.FORMAT, at.toString(), "9", "0/0", at, at.plusSeconds(5), List.of()));
        }
        return backups;
    }
}
