package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Runs the cache topology, exactly once for its state (page states and site statistics move together with the
 * consumed offsets; the Redis effects are idempotent, so a retried record is harmless); a failed record's thread is
 * replaced.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sluice.invalidator.enabled", havingValue = "true", matchIfMissing = true)
class CacheStreamsConfiguration {

    @Bean
    SmartLifecycle cacheStreams(CacheStreamsProperties properties, KafkaProperties kafka, Topics topics, StringRedisTemplate redis,
            RedisKeys keys, MeterRegistry meters) {
        Properties config = new Properties();
        config.putAll(kafka.buildStreamsProperties());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, properties.applicationId());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", kafka.getBootstrapServers()));
        config.put(StreamsConfig.STATE_DIR_CONFIG, properties.stateDir().toAbsolutePath().toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, properties.threads());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // One request in flight per partition leader: with more, the first produce to the just-created repartition
        // topic can be overtaken by the second, and the broker then refuses the first's retries for good
        // (OutOfOrderSequenceException; KAFKA-15591, fixed upstream in August 2026) until its delivery timeout: seen in
        // the invalidation benchmark as minutes of lag.
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        KafkaStreams streams = new KafkaStreams(CacheTopology.build(topics.cdcPages().name(), new RedisCacheEffects(redis, keys, meters), properties.statsInterval()), config);
        streams.setUncaughtExceptionHandler(error -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
        new KafkaStreamsMetrics(streams).bindTo(meters);
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                streams.start();
                running = true;
            }

            @Override
            public void stop() {
                streams.close(Duration.ofSeconds(30));
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
