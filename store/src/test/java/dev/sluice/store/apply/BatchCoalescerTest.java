package dev.sluice.store.apply;

import static dev.sluice.store.apply.TestPages.page;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.envelope.PageEnvelope;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchCoalescerTest {

    private static PageWrite upsert(String url, String fetchedAt, String body, long offset) {
        return new PageWrite(PageEnvelope.upsert(page(url, fetchedAt, body), Instant.now(), "test"), 0, offset);
    }

    @Test
    void keepsOneWritePerPageTheNewestFetch() {
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                upsert("https://a.example/", "2026-11-20T10:02:00Z", "newest", 1),
                upsert("https://b.example/", "2026-11-20T10:00:00Z", "b", 2),
                upsert("https://a.example/", "2026-11-20T10:01:00Z", "older, later", 3)));

        assertThat(coalesced).hasSize(2);
        assertThat(coalesced.get(0).winner().offset()).isEqualTo(1);
        assertThat(coalesced.get(0).earlierChanges()).isEmpty();
        assertThat(coalesced.get(1).winner().id()).isEqualTo(TestPages.id("https://b.example/"));
    }

    @Test
    void aTieInFetchTimeGoesToTheLaterWrite() {
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                upsert("https://a.example/", "2026-11-20T10:00:00Z", "first", 1),
                upsert("https://a.example/", "2026-11-20T10:00:00Z", "second", 2)));

        assertThat(coalesced).singleElement().satisfies(write -> {
            assertThat(write.winner().envelope().page().body()).isEqualTo("second");
            assertThat(write.earlierChanges()).extracting(PageWrite::offset).containsExactly(1L);
        });
    }

    @Test
    void countsTheEarlierWritesThatEachWouldHaveChangedThePage() {
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                upsert("https://a.example/", "2026-11-20T10:01:00Z", "1", 1),
                upsert("https://a.example/", "2026-11-20T10:00:00Z", "older: changes nothing", 2),
                upsert("https://a.example/", "2026-11-20T10:02:00Z", "2", 3),
                upsert("https://a.example/", "2026-11-20T10:03:00Z", "3", 4)));

        assertThat(coalesced).singleElement().satisfies(write -> {
            assertThat(write.winner().offset()).isEqualTo(4);
            assertThat(write.earlierChanges()).extracting(PageWrite::offset).containsExactly(1L, 3L);
        });
    }

    @Test
    void anExactRepeatIsNotAChange() {
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                upsert("https://a.example/", "2026-11-20T10:00:00Z", "same", 1),
                upsert("https://a.example/", "2026-11-20T10:00:00Z", "same", 2)));

        assertThat(coalesced).singleElement().satisfies(write -> {
            assertThat(write.winner().offset()).isEqualTo(1);
            assertThat(write.earlierChanges()).isEmpty();
        });
    }

    @Test
    void aDeleteIsOrderedByTheTimeItWasAccepted() {
        PageWrite delete = new PageWrite(PageEnvelope.delete(TestPages.id("https://a.example/"),
                Instant.parse("2026-11-20T10:05:00Z"), "test"), 0, 1);
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                delete, upsert("https://a.example/", "2026-11-20T10:03:00Z", "late", 2)));

        assertThat(coalesced).singleElement().satisfies(write -> assertThat(write.winner()).isEqualTo(delete));
    }

    @Test
    void aDeleteAcceptedAfterAFetchStampedAheadWinsAndTakesItsTime() {
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                upsert("https://a.example/", "2026-11-20T10:05:00Z", "from a clock ahead", 1),
                new PageWrite(PageEnvelope.delete(TestPages.id("https://a.example/"), Instant.parse("2026-11-20T10:01:00Z"), "test"), 0, 2)));

        assertThat(coalesced).singleElement().satisfies(write -> {
            assertThat(write.winner().offset()).isEqualTo(2);
            assertThat(write.winner().orderingTime()).isEqualTo(Instant.parse("2026-11-20T10:05:00Z"));
            assertThat(write.earlierChanges()).extracting(PageWrite::offset).containsExactly(1L);
        });
    }

    @Test
    void theWritesAfterADeleteFormTheNextRound() {
        List<CoalescedWrite> coalesced = BatchCoalescer.coalesce(List.of(
                new PageWrite(PageEnvelope.delete(TestPages.id("https://a.example/"), Instant.parse("2026-11-20T10:01:00Z"), "test"), 0, 1),
                upsert("https://a.example/", "2026-11-20T10:02:00Z", "after", 2),
                upsert("https://a.example/", "2026-11-20T10:03:00Z", "after, newer", 3)));

        assertThat(coalesced).singleElement().satisfies(write -> {
            assertThat(write.winner().offset()).isEqualTo(1);
            assertThat(write.then().winner().offset()).isEqualTo(3);
            assertThat(write.then().earlierChanges()).extracting(PageWrite::offset).containsExactly(2L);
            assertThat(write.writes()).extracting(PageWrite::offset).containsExactly(1L, 2L, 3L);
        });
    }
}
