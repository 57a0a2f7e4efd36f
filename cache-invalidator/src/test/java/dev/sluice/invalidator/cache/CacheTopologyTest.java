package dev.sluice.invalidator.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.cache.PageCacheProtocol;
import java.nio.charset.StandardCharsets;
import dev.sluice.core.stats.SiteStats;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CacheTopologyTest {

    static final String ID = "0123456789abcdef0123456789abcdef";

    /** Records what the topology asks of the cache, in order; each effect lands when {@link #outcome} completes. */
    static final class RecordedEffects implements CacheEffects {
        final List<String> effects = new ArrayList<>();

        final Map<String, SiteStats> stats = new HashMap<>();

        CompletableFuture<Void> outcome = CompletableFuture.completedFuture(null);

        @Override
        public CompletableFuture<?> pageChanged(String id, long fence, String site, Instant committedAt) {
            effects.add("invalidate " + id + " v" + fence + (site == null ? "" : ", retire lists of " + site)
                    + (committedAt == null ? "" : ", committed at " + committedAt.toEpochMilli()));
            return outcome;
        }

        @Override
        public CompletableFuture<?> siteStats(Map<String, SiteStats> published) {
            stats.putAll(published);
            return outcome;
        }
    }

    @TempDir
    java.nio.file.Path state;

    RecordedEffects recorded;
    TopologyTestDriver driver;
    TestInputTopic<String, byte[]> changes;

    @BeforeEach
    void topology() {
        recorded = new RecordedEffects();
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        driver = new TopologyTestDriver(CacheTopology.build("cdc", recorded, Duration.ofMillis(100)), config);
        changes = driver.createInputTopic("cdc", new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    static byte[] event(String op, String after) {
        return ("{\"before\":null,\"after\":" + after + ",\"source\":{\"table\":\"pages\",\"ts_ms\":1000},\"op\":\"" + op + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anInsertOrUpdateFencesThePageAtItsVersionAndRetiresItsSitesLists() {
        changes.pipeInput(ID, event("c", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":1,\"deleted_at\":null}"));
        changes.pipeInput(ID, event("u", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":2,\"deleted_at\":null}"));

        assertThat(recorded.effects).containsExactly(
                "invalidate " + ID + " v1, retire lists of example.com, committed at 1000",
                "invalidate " + ID + " v2, retire lists of example.com, committed at 1000");
    }

    @Test
    void aTombstoneIsAVersionedChangeLikeAnyOther() {
        changes.pipeInput(ID, event("u", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":3,\"deleted_at\":\"2026-11-20T10:00:00Z\"}"));

        assertThat(recorded.effects).containsExactly("invalidate " + ID + " v3, retire lists of example.com, committed at 1000");
    }

    @Test
    void aRowDeletedByHandIsFencedOffAndItsSiteRemembered() {
        changes.pipeInput(ID, event("c", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":1}"));
        recorded.effects.clear();

        changes.pipeInput(ID, ("{\"before\":{\"id\":\"" + ID + "\"},\"after\":null,\"source\":{\"table\":\"pages\",\"ts_ms\":2000},\"op\":\"d\"}")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(recorded.effects).containsExactly(
                "invalidate " + ID + " v" + PageCacheProtocol.UNVERSIONED_DELETE_FENCE + ", retire lists of example.com, committed at 2000");
    }

    @Test
    void aRecordIsNotCommittedUntilItsCacheEffectsLanded() {
        recorded.outcome = CompletableFuture.failedFuture(new IllegalStateException("Redis refused"));

        assertThatThrownBy(() -> changes.pipeInput(ID, event("c", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":1}")))
                .as("the commit after the record waits for its effects, and fails with them")
                .hasStackTraceContaining("Redis refused");
    }

    @Test
    void ignoresKafkaTombstonesAndRecordsThatAreNotPageChanges() {
        changes.pipeInput(ID, (byte[]) null);
        changes.pipeInput(ID, "not json".getBytes(StandardCharsets.UTF_8));
        changes.pipeInput(ID, "{\"ts_ms\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(recorded.effects).isEmpty();
    }

    static String page(String id, String site, long version, String deletedAt, String fetchedAt) {
        return "{\"id\":\"" + id + "\",\"site\":\"" + site + "\",\"version\":" + version + ",\"deleted_at\":"
                + (deletedAt == null ? "null" : "\"" + deletedAt + "\"") + ",\"fetched_at\":\"" + fetchedAt + "\"}";
    }

    static byte[] eventAt(String op, String after, long committedMillis) {
        return ("{\"before\":null,\"after\":" + after + ",\"source\":{\"table\":\"pages\",\"ts_ms\":" + committedMillis + "},\"op\":\"" + op + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String id(int n) {
        return String.format("%032x", n);
    }

    /**
     * Two statistics intervals: in the first, each page task passes its sites' added-up deltas on; in the next at the
     * latest, the sites' task publishes what they made of its statistics.
     */
    void statisticsPublished() {
        driver.advanceWallClockTime(Duration.ofMillis(100));
        driver.advanceWallClockTime(Duration.ofMillis(100));
    }

    @Test
    void siteChangesAreAddedUpPerSiteBeforeTheyAreRepartitioned() {
        for (int n = 1; n <= 50; n++) {
            changes.pipeInput(id(n), eventAt("c", page(id(n), n % 2 == 0 ? "a.com" : "b.com", 1, null, "2026-11-20T10:00:00Z"), 60_000));
        }
        driver.advanceWallClockTime(Duration.ofMillis(100));

        assertThat(driver.producedTopicNames()).contains("test-site-changes-repartition");
        assertThat(driver.createOutputTopic("test-site-changes-repartition", new StringDeserializer(), SiteChange.serde().deserializer())
                .readKeyValuesToList())
                .as("one record per site, not one per change")
                .extracting(record -> record.key + " " + record.value.pagesDelta() + " " + record.value.changesPerMinute())
                .containsExactlyInAnyOrder("a.com 25 {1=25}", "b.com 25 {1=25}");
    }

    @Test
    void siteStatisticsCountLivePagesTheNewestFetchAndChangesPerMinute() {
        long minute = 29_000_000L * 60_000L; // a whole minute, in ms
        changes.pipeInput(id(1), eventAt("c", page(id(1), "a.com", 1, null, "2026-11-20T10:00:00Z"), minute + 1_000));
        changes.pipeInput(id(2), eventAt("c", page(id(2), "a.com", 1, null, "2026-11-20T11:00:00Z"), minute + 2_000));
        changes.pipeInput(id(1), eventAt("u", page(id(1), "a.com", 2, null, "2026-11-20T10:30:00Z"), minute + 61_000));
        changes.pipeInput(id(3), eventAt("c", page(id(3), "b.com", 1, null, "2026-11-20T09:00:00Z"), minute + 62_000));
        changes.pipeInput(id(2), eventAt("u", page(id(2), "a.com", 2, "2026-11-20T12:00:00Z", "2026-11-20T11:00:00Z"), minute + 63_000));
        statisticsPublished();

        SiteStats a = recorded.stats.get("a.com");
        assertThat(a.pages()).as("page 2 was deleted (tombstoned)").isEqualTo(1);
        assertThat(a.lastFetchedAt()).isEqualTo(Instant.parse("2026-11-20T11:00:00Z"));
        assertThat(a.changesPerMinute()).containsExactly(Map.entry(29_000_000L, 2L), Map.entry(29_000_001L, 2L));
        assertThat(recorded.stats.get("b.com").pages()).isEqualTo(1);
    }

    @Test
    void aRedeliveredOrOlderChangeMovesNoStatistic() {
        changes.pipeInput(id(1), eventAt("c", page(id(1), "a.com", 1, null, "2026-11-20T10:00:00Z"), 60_000));
        changes.pipeInput(id(1), eventAt("u", page(id(1), "a.com", 2, null, "2026-11-20T10:00:00Z"), 61_000));
        changes.pipeInput(id(1), eventAt("u", page(id(1), "a.com", 2, null, "2026-11-20T10:00:00Z"), 61_000));
        changes.pipeInput(id(1), eventAt("c", page(id(1), "a.com", 1, null, "2026-11-20T10:00:00Z"), 60_000));
        statisticsPublished();

        assertThat(recorded.stats.get("a.com").pages()).isEqualTo(1);
        assertThat(recorded.stats.get("a.com").changesPerMinute()).containsExactly(Map.entry(1L, 2L));
    }

    @Test
    void aRowDeletedByHandLeavesItsSitesCount() {
        changes.pipeInput(id(1), eventAt("c", page(id(1), "a.com", 1, null, "2026-11-20T10:00:00Z"), 60_000));
        changes.pipeInput(id(2), eventAt("c", page(id(2), "a.com", 1, null, "2026-11-20T10:00:00Z"), 60_000));
        changes.pipeInput(id(1), ("{\"before\":{\"id\":\"" + id(1) + "\"},\"after\":null,\"source\":{\"table\":\"pages\",\"ts_ms\":62000},\"op\":\"d\"}")
                .getBytes(StandardCharsets.UTF_8));
        statisticsPublished();

        assertThat(recorded.stats.get("a.com").pages()).isEqualTo(1);
    }
}
