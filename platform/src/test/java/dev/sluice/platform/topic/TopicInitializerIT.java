package dev.sluice.platform.topic;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.topic.TopicSpec;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;

/** Topics are created with the acknowledgement guarantee set on the topic itself, not left to the broker's default. */
@SharedStackTest
class TopicInitializerIT {

    @Test
    void aNewTopicCarriesItsMinInSyncReplicas() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedStack.connections().kafkaBootstrap()))) {
            TopicSpec derived = new TopicSpec("topic-initializer-it.derived", 2, (short) -1, Duration.ofDays(1), 1 << 20);
            TopicSpec explicit = new TopicSpec("topic-initializer-it.explicit", 2, (short) 1, Duration.ofDays(1), 1 << 20, (short) 1);
            TopicInitializer initializer = new TopicInitializer(admin, List.of(derived, explicit));

            assertThat(initializer.ensureTopics()).isTrue();

            for (String topic : List.of(derived.name(), explicit.name())) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG);
                assertThat(entry.source()).as(topic + ": set on the topic").isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
                assertThat(entry.value()).as(topic + ": one broker here, so one replica").isEqualTo("1");
            }
            assertThat(initializer.ensureTopics()).as("existing topics are checked, not recreated").isTrue();
        }
    }
}
