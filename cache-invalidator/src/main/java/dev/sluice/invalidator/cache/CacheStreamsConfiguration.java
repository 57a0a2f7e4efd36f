package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.topic.Topics;
import dev.sluice.platform.tracing.TraceContexts;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Runs the cache topology, exactly once for its state (page states and site statistics move together with the
 * consumed offsets; the Redis effects are idempotent, so a retried record is harmless); a failed record's thread is
 * replaced.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sluice.invalidator.enabled", havingValue = "true", matchIfMissing = true)
class CacheStreamsConfiguration {

    @Bean(destroyMethod = "") // closed by the lifecycle below
    KafkaStreams cacheKafkaStreams(CacheStreamsProperties properties, KafkaProperties kafka, Topics topics, RedisConnectionFactory redis,
            RedisKeys keys, MeterRegistry meters, TraceContexts traces) {
        Properties config = new Properties();
        config.putAll(kafka.buildStreamsProperties());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, properties.applicationId());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, String.join(",", kafka.getBootstrapServers()));
        config.put(StreamsConfig.STATE_DIR_CONFIG, properties.stateDir().toAbsolutePath().toString());
        config.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, properties.threads());
        config.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // Redis effects land as records are processed; the commit interval only bounds how much is processed again
        // after a crash and how soon site statistics move. It must stay well above a commit's own latency: Kafka
        // Streams halves its records per loop after every commit, so commits slower than the interval leave one
        // record per task between commits (measured: 11 records/s with 100 ms against ~250 ms commits).
        config.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, (int) properties.commitInterval().toMillis());
        // The first produce of a transaction is often refused (CONCURRENT_TRANSACTIONS) while the broker still writes
        // the previous one's markers; retrying after 100 ms (the default) made every commit wait for it.
        config.put(StreamsConfig.producerPrefix(ProducerConfig.RETRY_BACKOFF_MS_CONFIG), 10);
        config.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        // Every task reads one partition (no joins), so there is nothing to wait for; -1 also skips a per-record
        // readiness check that cost 11% of the stream thread in the invalidation benchmark's profile.
        config.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, -1L);
        // One request in flight per partition leader: with more, the first produce to the just-created repartition
        // topic can be overtaken by the second, and the broker then refuses the first's retries for good
        // (OutOfOrderSequenceException; KAFKA-15591, fixed upstream in August 2026) until its delivery timeout: seen in
        // the invalidation benchmark's broker log.
        config.put(StreamsConfig.producerPrefix(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION), 1);
        Supplier<RedisClusterAsyncCommands<byte[], byte[]>> connection = () -> sharedConnection(redis);
        ScheduledExecutorService probeTimer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "consistency-probe");
            thread.setDaemon(true);
            return thread;
        });
        ConsistencyProbe probe = new ConsistencyProbe(connection, keys, properties.consistency(), probeTimer, meters);
        CacheEffects effects = new RedisCacheEffects(connection, keys, meters, probe);
        KafkaStreams streams = new KafkaStreams(CacheTopology.build(topics.cdcPages().name(), effects, properties.statsInterval(), traces), config);
        streams.setUncaughtExceptionHandler(error -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD);
        new KafkaStreamsMetrics(streams).bindTo(meters);
        return streams;
    }

    @Bean
    CacheStreamsHealthIndicator cacheStreamsHealthIndicator(KafkaStreams cacheKafkaStreams) {
        return new CacheStreamsHealthIndicator(cacheKafkaStreams);
    }

    @Bean
    SmartLifecycle cacheStreams(KafkaStreams streams) {
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

    /** The factory's shared native connection (Lettuce; it outlives the wrapper that handed it out). */
    @SuppressWarnings("unchecked")
    private static RedisClusterAsyncCommands<byte[], byte[]> sharedConnection(RedisConnectionFactory factory) {
        try (RedisConnection connection = factory.getConnection()) {
            return (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
        }
    }
}
