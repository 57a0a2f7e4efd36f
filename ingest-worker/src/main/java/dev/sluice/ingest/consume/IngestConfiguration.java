package dev.sluice.ingest.consume;

import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.topic.Topics;
import dev.sluice.ingest.apply.BatchApplier;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The consumer of {@code pages.v1}: batches of up to {@code max-batch} records, cooperative rebalancing (a worker
 * joining or leaving moves only the partitions it must), read-committed isolation, no auto-commit, and a retry
 * policy that never gives up on a transient failure.
 */
@Configuration(proxyBeanMethods = false)
class IngestConfiguration {

    private static final Logger log = LoggerFactory.getLogger(IngestConfiguration.class);

    @Bean
    BatchApplier batchApplier(DataSource dataSource, IngestProperties properties, Topics topics) {
        return new BatchApplier(dataSource, properties.groupId(), topics.pages().name());
    }

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> ingestContainer(KafkaProperties kafka, IngestProperties properties,
            Topics topics, DataSource dataSource, EnvelopeCodec codec, BatchApplier applier, DeadLetters deadLetters,
            AppliedPositions applied, IngestMetrics metrics, MeterRegistry meters) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxBatch());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) properties.sessionTimeout().toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1000, properties.sessionTimeout().toMillis() / 3));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, topics.pages().spec().maxMessageBytes());
        DefaultKafkaConsumerFactory<String, byte[]> consumers =
                new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumers.addListener(new MicrometerConsumerListener<>(meters));

        ContainerProperties container = new ContainerProperties(topics.pages().name());
        container.setGroupId(properties.groupId());
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        container.setConsumerRebalanceListener(new PositionSeeker(dataSource, properties.groupId()));
        container.setMessageListener(new IngestListener(codec, applier, deadLetters, applied, metrics, topics.pages().name()));

        ExponentialBackOff backOff = new ExponentialBackOff(properties.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(properties.retryMaxInterval().toMillis());
        DefaultErrorHandler retryForever = new DefaultErrorHandler(backOff); // no max elapsed time: never gives up
        retryForever.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record, Exception ex, int attempt) {
                log.warn("Record {}-{}@{} failed (attempt {}), retrying: {}", record.topic(), record.partition(), record.offset(), attempt, ex.toString());
                metrics.retry();
            }

            @Override
            public void failedDelivery(ConsumerRecords<?, ?> records, Exception ex, int attempt) {
                log.warn("Batch of {} record(s) failed (attempt {}), retrying after a pause: {}", records.count(), attempt, ex.toString());
                metrics.retry();
            }
        });

        ConcurrentMessageListenerContainer<String, byte[]> listener = new ConcurrentMessageListenerContainer<>(consumers, container);
        listener.setConcurrency(properties.concurrency());
        listener.setCommonErrorHandler(retryForever);
        listener.setAutoStartup(properties.enabled());
        return listener;
    }
}
