package dev.sluice.invalidator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.cache.PageCacheProtocol;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArraySerializer;
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

    /** Records what the topology asks of the cache, in order. */
    static final class RecordedEffects implements CacheEffects {
        final List<String> effects = new ArrayList<>();

        @Override
        public void invalidatePage(String id, long version) {
            effects.add("invalidate " + id + " v" + version);
        }

        @Override
        public void retireSiteLists(String site) {
            effects.add("retire lists of " + site);
        }

        @Override
        public void applied(Instant committedAt) {
            effects.add("applied " + committedAt.toEpochMilli());
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
        driver = new TopologyTestDriver(CacheTopology.build("cdc", recorded), config);
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
                "invalidate " + ID + " v1", "retire lists of example.com", "applied 1000",
                "invalidate " + ID + " v2", "retire lists of example.com", "applied 1000");
    }

    @Test
    void aTombstoneIsAVersionedChangeLikeAnyOther() {
        changes.pipeInput(ID, event("u", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":3,\"deleted_at\":\"2026-11-20T10:00:00Z\"}"));

        assertThat(recorded.effects).startsWith("invalidate " + ID + " v3", "retire lists of example.com");
    }

    @Test
    void aRowDeletedByHandIsFencedOffAndItsSiteRemembered() {
        changes.pipeInput(ID, event("c", "{\"id\":\"" + ID + "\",\"site\":\"example.com\",\"version\":1}"));
        recorded.effects.clear();

        changes.pipeInput(ID, ("{\"before\":{\"id\":\"" + ID + "\"},\"after\":null,\"source\":{\"table\":\"pages\",\"ts_ms\":2000},\"op\":\"d\"}")
                .getBytes(StandardCharsets.UTF_8));

        assertThat(recorded.effects).containsExactly("invalidate " + ID + " v" + PageCacheProtocol.UNVERSIONED_DELETE_FENCE,
                "retire lists of example.com", "applied 2000");
    }

    @Test
    void ignoresKafkaTombstonesAndRecordsThatAreNotPageChanges() {
        changes.pipeInput(ID, (byte[]) null);
        changes.pipeInput(ID, "not json".getBytes(StandardCharsets.UTF_8));
        changes.pipeInput(ID, "{\"ts_ms\":1}".getBytes(StandardCharsets.UTF_8));

        assertThat(recorded.effects).isEmpty();
    }
}
