package dev.sluice.invalidator.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class CacheStreamsHealthIndicatorTest {

    @TempDir
    Path state;

    @Test
    void aTopologyThatHasNotRunYetIsNotReadyAndOneClosedIsDown() {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("cdc");
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "health-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9"); // never started, never connected
        config.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        KafkaStreams streams = new KafkaStreams(builder.build(), config);
        CacheStreamsHealthIndicator health = new CacheStreamsHealthIndicator(streams);

        Health created = health.health();
        assertThat(created.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(created.getDetails()).containsEntry("state", "CREATED");

        streams.close();
        assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
    }
}
