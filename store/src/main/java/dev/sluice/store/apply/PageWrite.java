package dev.sluice.store.apply;

import dev.sluice.core.envelope.Op;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.page.ContentHash;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;

/**
 * One write read from {@code pages.v1}, with where it was read. Writes of a page are ordered by
 * {@link PageEnvelope#orderingTime()}, ties going to the later offset (all writes of a page share a partition),
 * with one exception: a delete is newer than every write of the page accepted before it (a lower offset on the
 * same partition), whatever that write's {@code fetched_at} (a client's clock may run up to 5 minutes ahead of the
 * API's, which stamps the delete). Such a delete then takes the time of the write it follows, so that fetches older
 * than that still cannot resurrect the page.
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
        return ORDER.compare(this, other) > 0 || acceptedAfter(other);
    }

    /** A delete of the page accepted after {@code other} (so the client meant to delete what that write wrote). */
    boolean acceptedAfter(PageWrite other) {
        return envelope.op() == Op.DELETE && partition == other.partition && offset > other.offset;
    }

    /** This delete, ordered no earlier than {@code other}: what deleting after it means (see the class comment). */
    PageWrite orderedAfter(PageWrite other) {
        if (!other.orderingTime().isAfter(orderingTime())) {
            return this;
        }
        return new PageWrite(PageEnvelope.delete(envelope.id(), other.orderingTime(), envelope.client()), partition, offset);
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
