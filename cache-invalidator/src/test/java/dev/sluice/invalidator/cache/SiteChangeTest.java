package dev.sluice.invalidator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class SiteChangeTest {

    final Serde<SiteChange> serde = SiteChange.serde();

    @Test
    void changesAddUpToOneDeltaPerSite() {
        SiteChange sum = SiteChange.of(1, Instant.parse("2026-11-20T10:00:00Z"), Instant.ofEpochSecond(60))
                .plus(SiteChange.of(-1, null, Instant.ofEpochSecond(61)))
                .plus(SiteChange.of(1, Instant.parse("2026-11-20T11:00:00.123456Z"), Instant.ofEpochSecond(125)))
                .plus(SiteChange.of(0, Instant.parse("2026-11-20T09:00:00Z"), null));

        assertThat(sum.pagesDelta()).isEqualTo(1);
        assertThat(sum.newestFetch()).isEqualTo(Instant.parse("2026-11-20T11:00:00.123456Z"));
        assertThat(sum.changesPerMinute()).containsExactly(Map.entry(1L, 2L), Map.entry(2L, 1L));
    }

    @Test
    void survivesItsBinaryFormExactly() {
        TreeMap<Long, Long> minutes = new TreeMap<>(Map.of(29_000_000L, 3L, 29_000_001L, 1L));
        SiteChange change = new SiteChange(-2, Instant.parse("2026-11-20T11:00:00.123456Z"), minutes);
        SiteChange empty = new SiteChange(0, null, new TreeMap<>());

        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", change))).isEqualTo(change);
        assertThat(serde.deserializer().deserialize("t", serde.serializer().serialize("t", empty))).isEqualTo(empty);
    }

    @Test
    void readsTheOneChangeRecordsOfEarlierVersions() {
        byte[] earlier = "{\"d\":-1,\"f\":\"2026-11-20T10:00:00Z\",\"c\":61000}".getBytes(StandardCharsets.UTF_8);

        assertThat(serde.deserializer().deserialize("t", earlier))
                .isEqualTo(SiteChange.of(-1, Instant.parse("2026-11-20T10:00:00Z"), Instant.ofEpochMilli(61_000)));
    }
}
