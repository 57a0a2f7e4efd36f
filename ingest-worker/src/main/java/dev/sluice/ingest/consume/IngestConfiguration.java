package dev.sluice.ingest.consume;

import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.topic.Topics;
import dev.sluice.ingest.kafka.BatchConsumers;
import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.apply.BatchApplier;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The consumer of {@code pages.v1} ({@link BatchConsumers}): manual acknowledgement, positions sought from
 * PostgreSQL on assignment, one transaction per batch.
 */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

    @Bean
    BatchApplier batchApplier(DataSource dataSource, IngestProperties properties, Topics topics) {
        return new BatchApplier(dataSource, properties.groupId(), topics.pages().name(), "pages", properties.bodyStorage());
    }

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> ingestContainer(KafkaProperties kafka, IngestProperties properties,
            Topics topics, DataSource dataSource, EnvelopeCodec codec, BatchApplier applier, DeadLetters deadLetters,
            AppliedPositions applied, IngestMetrics metrics, MeterRegistry meters, TraceContexts traces) {
        BatchConsumers.Settings settings = new BatchConsumers.Settings(properties.groupId(), properties.enabled(),
                properties.concurrency(), properties.maxBatch(), properties.sessionTimeout(), properties.retryInitialInterval(),
                properties.retryMaxInterval(), "Ingestion", metrics::retry);
        return BatchConsumers.create(kafka, meters, topics.pages().spec(), settings, container -> {
            container.setAckMode(ContainerProperties.AckMode.MANUAL);
            container.setConsumerRebalanceListener(new PositionSeeker(dataSource, properties.groupId()));
            container.setMessageListener(new IngestListener(codec, applier, deadLetters, applied, metrics, topics.pages().name(), traces));
        });
    }
}
