package dev.sluice.ingest.search;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.topic.Topics;
import dev.sluice.ingest.consume.IngestProperties;
import dev.sluice.ingest.kafka.BatchConsumers;
import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.search.SearchIndex;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;

/**
 * The search indexer's consumer of {@code cdc.pages}: its own group, batches, offsets committed after each
 * batch's transaction (indexing is idempotent, so a redelivery after a crash is harmless), retries forever.
 */
@Configuration(proxyBeanMethods = false)
class SearchConfiguration {

    @Bean
    ConcurrentMessageListenerContainer<String, byte[]> searchIndexerContainer(KafkaProperties kafka, SearchProperties properties,
            IngestProperties ingest, Topics topics, DataSource dataSource, StringRedisTemplate redis, RedisKeys keys, MeterRegistry meters,
            TraceContexts traces) {
        // A crashed process's partitions move as fast for the indexer as for ingestion.
        BatchConsumers.Settings settings = new BatchConsumers.Settings(properties.groupId(), properties.enabled(),
                properties.concurrency(), properties.maxBatch(), ingest.sessionTimeout(), ingest.retryInitialInterval(),
                properties.retryMaxInterval(), "Search indexing", () -> meters.counter("sluice.search.retries").increment());
        return BatchConsumers.create(kafka, meters, topics.cdcPages().spec(), settings, container -> {
            container.setAckMode(ContainerProperties.AckMode.BATCH);
            container.setMessageListener(new SearchIndexer(new SearchIndex(dataSource, properties.textSearchConfig(), properties.nearDuplicates()),
                    new SearchResultsCache(redis, keys, meters), meters, traces));
        });
    }

    @Bean
    SearchReconciler searchReconciler(SearchProperties properties, DataSource dataSource, StringRedisTemplate redis, RedisKeys keys,
            MeterRegistry meters) {
        return new SearchReconciler(properties.enabled() && properties.reconcileAtStart(), properties.nearDuplicates(), dataSource,
                new SearchIndex(dataSource, properties.textSearchConfig(), properties.nearDuplicates()), new SearchResultsCache(redis, keys, meters), meters);
    }
}
