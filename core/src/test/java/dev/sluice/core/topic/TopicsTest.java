package dev.sluice.core.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TopicsTest {

    @Test
    void theDefaultsAreThoseOfTheDesign() {
        Topics topics = Topics.defaults();

        assertThat(topics.pages().name()).isEqualTo("pages.v1");
        assertThat(topics.pages().spec().partitions()).isEqualTo(12);
        assertThat(topics.pages().spec().retention()).isEqualTo(Duration.ofDays(7));
        assertThat(topics.pagesDeadLetters().name()).isEqualTo("pages.v1.dlq");
        assertThat(topics.cdcPages().name()).isEqualTo("cdc.pages");
        assertThat(topics.all()).hasSize(3);
    }

    @Test
    void topicSpecsAreValidated() {
        assertThatThrownBy(() -> new TopicSpec("bad name", 1, (short) 1, Duration.ofDays(1), 1 << 20)).hasMessageContaining("invalid topic name");
        assertThatThrownBy(() -> new TopicSpec("t", 0, (short) 1, Duration.ofDays(1), 1 << 20)).hasMessageContaining("at least one partition");
        assertThatThrownBy(() -> new TopicSpec("t", 1, (short) 0, Duration.ofDays(1), 1 << 20)).hasMessageContaining("replication factor");
    }

    @Test
    void acknowledgedWritesRestOnAllReplicasButOneUnlessConfigured() {
        TopicSpec derived = new TopicSpec("t", 1, (short) -1, Duration.ofDays(1), 1 << 20);
        assertThat(derived.minInSyncReplicas(3)).as("three replicas: two must hold a write").isEqualTo(2);
        assertThat(derived.minInSyncReplicas(2)).isEqualTo(1);
        assertThat(derived.minInSyncReplicas(1)).as("a single broker").isEqualTo(1);
        assertThat(new TopicSpec("t", 1, (short) 3, Duration.ofDays(1), 1 << 20, (short) 3).minInSyncReplicas(3)).isEqualTo(3);
        assertThatThrownBy(() -> new TopicSpec("t", 1, (short) 2, Duration.ofDays(1), 1 << 20, (short) 3))
                .hasMessageContaining("min.insync.replicas");
        assertThatThrownBy(() -> new TopicSpec("t", 1, (short) 2, Duration.ofDays(1), 1 << 20, (short) 0))
                .hasMessageContaining("min.insync.replicas");
    }
}
