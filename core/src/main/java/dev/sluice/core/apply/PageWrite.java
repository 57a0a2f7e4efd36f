package dev.sluice.core.apply;

import dev.sluice.core.envelope.Op;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.page.ContentHash;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * One write read from {@code pages.v1}, with where it was read. Writes of a page are ordered by
 * {@link PageEnvelope#orderingTime()}, ties going to the later offset (all writes of a page share a partition).
 */
public record PageWrite(PageEnvelope envelope, int partition, long offset) {

    /** The order of two writes of one page: the newer one is greater. */
    public static final Comparator<PageWrite> ORDER =
            Comparator.comparing((PageWrite w) -> w.envelope().orderingTime()).thenComparingLong(PageWrite::offset);

    public String id() {
        return envelope.id();
    }

    public Instant orderingTime() {
        return envelope.orderingTime();
    }

    public boolean isNewerThan(PageWrite other) {
        return ORDER.compare(this, other) > 0;
    }

    /**
     * Whether this write says exactly what {@code other} says: the same fetch of the same content (a client's retry,
     * a producer's duplicate). Such a write changes nothing, not even the version.
     */
    public boolean repeats(PageWrite other) {
        return envelope.op() == Op.UPSERT && other.envelope.op() == Op.UPSERT
                && orderingTime().equals(other.orderingTime())
                && Arrays.equals(ContentHash.of(envelope.page()), ContentHash.of(other.envelope.page()));
    }
}
