package dev.sluice.ingest.kafka;

import dev.sluice.core.topic.TopicSpec;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.MicrometerConsumerListener;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.listener.RetryListener;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * The batch consumers of this module (ingestion of {@code pages.v1}, the search indexer on {@code cdc.pages}) run
 * alike: no auto-commit, read-committed, cooperative rebalancing, a session timeout that moves a crashed
 * process's partitions quickly, and a retry policy that never gives up on a transient failure.
 */
public final class BatchConsumers {

    /**
     * @param what names the consumer in retry logs
     * @param onRetry counts a retry (the consumer's own metric)
     */
    public record Settings(String groupId, boolean enabled, int concurrency, int maxBatch, Duration sessionTimeout,
            Duration retryInitialInterval, Duration retryMaxInterval, String what, Runnable onRetry) {}

    private static final Logger log = LoggerFactory.getLogger(BatchConsumers.class);

    private BatchConsumers() {}

    /** A container of {@code settings.concurrency()} consumers of {@code topic}; {@code container} adds the listener. */
    public static ConcurrentMessageListenerContainer<String, byte[]> create(KafkaProperties kafka, MeterRegistry meters,
            TopicSpec topic, Settings settings, Consumer<ContainerProperties> container) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, settings.groupId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, settings.maxBatch());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) settings.sessionTimeout().toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1000, settings.sessionTimeout().toMillis() / 3));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        config.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, topic.maxMessageBytes());
        DefaultKafkaConsumerFactory<String, byte[]> consumers =
                new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumers.addListener(new MicrometerConsumerListener<>(meters));

        ContainerProperties properties = new ContainerProperties(topic.name());
        properties.setGroupId(settings.groupId());
        container.accept(properties);

        ConcurrentMessageListenerContainer<String, byte[]> listener = new ConcurrentMessageListenerContainer<>(consumers, properties);
        listener.setConcurrency(settings.concurrency());
        listener.setCommonErrorHandler(retryForever(settings));
        listener.setAutoStartup(settings.enabled());
        return listener;
    }

    /** Retries the failed batch after a pause (doubling up to the maximum), with no limit on attempts or time. */
    private static DefaultErrorHandler retryForever(Settings settings) {
        ExponentialBackOff backOff = new ExponentialBackOff(settings.retryInitialInterval().toMillis(), 2.0);
        backOff.setMaxInterval(settings.retryMaxInterval().toMillis());
        DefaultErrorHandler handler = new DefaultErrorHandler(backOff);
        handler.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(ConsumerRecord<?, ?> record, Exception ex, int attempt) {
                log.warn("{}: record {}-{}@{} failed (attempt {}), retrying: {}", settings.what(), record.topic(), record.partition(),
                        record.offset(), attempt, ex.toString());
                settings.onRetry().run();
            }

            @Override
            public void failedDelivery(ConsumerRecords<?, ?> records, Exception ex, int attempt) {
                log.warn("{}: batch of {} record(s) failed (attempt {}), retrying after a pause: {}", settings.what(), records.count(),
                        attempt, ex.toString());
                settings.onRetry().run();
            }
        });
        return handler;
    }
}
