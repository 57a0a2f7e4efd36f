package dev.sluice.invalidator.cache;

import dev.sluice.core.json.Json;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import tools.jackson.databind.JsonNode;

/**
 * What some page changes did to one site: added up per site by the task that saw them, then repartitioned by site so
 * that one task owns each site's statistics. Adding up first makes a busy site cost one record per interval instead
 * of one per change (a crawl writes many pages of one site at a time).
 *
 * @param pagesDelta pages that became live minus pages that stopped being live
 * @param newestFetch the newest fetch time among the changes, or null
 * @param changesPerMinute the changes by minute of commit time (epoch minutes)
 */
record SiteChange(long pagesDelta, Instant newestFetch, TreeMap<Long, Long> changesPerMinute) {

    /** One change: {@code pagesDelta} is +1, -1 or 0; either time may be unknown. */
    static SiteChange of(int pagesDelta, Instant fetchedAt, Instant committedAt) {
        TreeMap<Long, Long> minutes = new TreeMap<>();
        if (committedAt != null) {
            minutes.put(Math.floorDiv(committedAt.getEpochSecond(), 60), 1L);
        }
        return new SiteChange(pagesDelta, fetchedAt, minutes);
    }

    /** Both together, as if one. */
    SiteChange plus(SiteChange other) {
        TreeMap<Long, Long> minutes = new TreeMap<>(changesPerMinute);
        other.changesPerMinute.forEach((minute, count) -> minutes.merge(minute, count, Long::sum));
        return new SiteChange(pagesDelta + other.pagesDelta, newer(newestFetch, other.newestFetch), minutes);
    }

    private static Instant newer(Instant a, Instant b) {
        return a == null || b != null && b.isAfter(a) ? b : a;
    }

    /**
     * Binary, because a task reads and writes its sites' running deltas at every change: {@code pagesDelta}, a flag
     * and the newest fetch (seconds, nanos) if any, the number of minutes, then each minute and its count.
     */
    static Serde<SiteChange> serde() {
        return Serdes.serdeFrom((topic, change) -> {
            if (change == null) {
                return null;
            }
            ByteBuffer bytes = ByteBuffer.allocate(8 + 1 + 12 + 4 + 16 * change.changesPerMinute.size());
            bytes.putLong(change.pagesDelta);
            bytes.put((byte) (change.newestFetch == null ? 0 : 1));
            if (change.newestFetch != null) {
                bytes.putLong(change.newestFetch.getEpochSecond()).putInt(change.newestFetch.getNano());
            }
            bytes.putInt(change.changesPerMinute.size());
            change.changesPerMinute.forEach((minute, count) -> bytes.putLong(minute).putLong(count));
            return Arrays.copyOf(bytes.array(), bytes.position());
        }, (topic, data) -> {
            if (data == null) {
                return null;
            }
            if (data.length > 0 && data[0] == '{') {
                return fromEarlierJson(data); // left in the repartition topic by an earlier version
            }
            ByteBuffer bytes = ByteBuffer.wrap(data);
            long pagesDelta = bytes.getLong();
            Instant newestFetch = bytes.get() == 0 ? null : Instant.ofEpochSecond(bytes.getLong(), bytes.getInt());
            TreeMap<Long, Long> minutes = new TreeMap<>();
            for (int n = bytes.getInt(); n > 0; n--) {
                minutes.put(bytes.getLong(), bytes.getLong());
            }
            return new SiteChange(pagesDelta, newestFetch, minutes);
        });
    }

    /** One change as earlier versions wrote it: {@code {"d":delta,"f":"fetched","c":committedMillis}}. */
    private static SiteChange fromEarlierJson(byte[] data) {
        JsonNode json = Json.mapper().readTree(data);
        return of(json.path("d").asInt(), json.has("f") ? Instant.parse(json.get("f").asString()) : null,
                json.has("c") ? Instant.ofEpochMilli(json.get("c").asLong()) : null);
    }
}
