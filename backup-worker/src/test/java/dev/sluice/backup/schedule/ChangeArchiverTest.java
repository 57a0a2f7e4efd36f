package dev.sluice.backup.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.backup.store.DirectoryStore;
import dev.sluice.core.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

class ChangeArchiverTest {

    @TempDir
    Path folder;

    @Test
    void theArchiversConsumerTakesTheClustersSecuritySettingsLikeEveryOtherClient() {
        KafkaProperties kafka = new KafkaProperties();
        kafka.setBootstrapServers(List.of("broker-1:9093"));
        kafka.getSecurity().setProtocol("SASL_SSL");
        kafka.getProperties().put("sasl.mechanism", "SCRAM-SHA-512");
        kafka.getSsl().setTrustStoreLocation(new org.springframework.core.io.FileSystemResource("/etc/sluice/truststore.p12"));

        ChangeArchiver archiver = new ChangeArchiver(new ArchiveProperties(true, "archive", Duration.ofMinutes(1)), new DirectoryStore(folder),
                Topics.of(Topics.DEFAULT_PAGES, Topics.DEFAULT_PAGES_DLQ, Topics.DEFAULT_CDC_PAGES, null), kafka, new SimpleMeterRegistry());

        assertThat(archiver.consumerConfig()).containsEntry("bootstrap.servers", List.of("broker-1:9093"))
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsKey("ssl.truststore.location").containsEntry("group.id", "archive").containsEntry("isolation.level", "read_committed");
    }
}
