package dev.sluice.ingest.search;

import dev.sluice.core.topic.Topics;
import dev.sluice.ingest.consume.IngestProperties;
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
 * The search indexer's consumer of {@code cdc.pages}: its own group, batches, offsets committed after each
 * batch's transaction (indexing is idempotent, so a redelivery after a crash is harmless), retries forever.
 */
@Configuration(proxyBeanMethods = false)
class SearchConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SearchConfiguration.class);

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> searchIndexerContainer(KafkaProperties kafka, SearchProperties properties,
            IngestProperties ingest, Topics topics, DataSource dataSource, MeterRegistry meters) {
        Map<String, Object> config = kafka.buildConsumerProperties();
        config.put(ConsumerConfig.GROUP_ID_CONFIG, properties.groupId());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, properties.maxBatch());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        // A crashed process's partitions move as fast for the indexer as for ingestion.
        config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) ingest.sessionTimeout().toMillis());
        config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) Math.max(1000, ingest.sessionTimeout().toMillis() / 3));
        config.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        DefaultKafkaConsumerFactory<String, byte[]> consumers =
                new DefaultKafkaConsumerFactory<>(config, new StringDeserializer(), new ByteArrayDeserializer());
        consumers.addListener(new MicrometerConsumerListener<>(meters));

        ContainerProperties container = new ContainerProperties(topics.cdcPages().name());
        container.setGroupId(properties.groupId());
        container.setAckMode(ContainerProperties.AckMode.BATCH);
        container.setMessageListener(new SearchIndexer(new SearchIndex(dataSource, properties.textSearchConfig()), meters));

        ExponentialBackOff backOff = new ExponentialBackOff(200, 2.0);
        backOff.setMaxInterval(properties.retryMaxInterval().toMillis());
        DefaultErrorHandler retryForever = new DefaultErrorHandler(backOff);
        retryForever.setRetryListeners(new RetryListener() {
            @Override
            public void failedDelivery(org.apache.kafka.clients.consumer.ConsumerRecord<?, ?> record, Exception ex, int attempt) {
                log.warn("Search indexing failed (attempt {}), retrying: {}", attempt, ex.toString());
                meters.counter("sluice.search.retries").increment();
            }

            @Override
            public void failedDelivery(ConsumerRecords<?, ?> records, Exception ex, int attempt) {
                log.warn("Search indexing of {} change(s) failed (attempt {}), retrying after a pause: {}", records.count(), attempt, ex.toString());
                meters.counter("sluice.search.retries").increment();
            }
        });

        ConcurrentMessageListenerContainer<String, byte[]> listener = new ConcurrentMessageListenerContainer<>(consumers, container);
        listener.setConcurrency(properties.concurrency());
        listener.setCommonErrorHandler(retryForever);
        listener.setAutoStartup(properties.enabled());
        return listener;
    }
}
