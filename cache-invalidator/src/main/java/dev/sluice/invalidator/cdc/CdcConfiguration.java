package dev.sluice.invalidator.cdc;

import dev.sluice.core.topic.Topics;
import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.platform.tracing.TraceContexts;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/** The change-data-capture feed: slot leadership, the engine, its producer to cdc.pages, and the slot's lag. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "sluice.cdc.enabled", havingValue = "true", matchIfMissing = true)
class CdcConfiguration {

    @Bean
    CdcRunner cdcRunner(CdcProperties properties, ConnectionProperties connections, KafkaProperties kafka, Topics topics,
            MeterRegistry meters, DataSource dataSource, TraceContexts traces) {
        Map<String, Object> config = kafka.buildProducerProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        config.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        // A change event is ~3 KB: the default 16 KB batch held five, so each engine batch (up to 2,048 events, whose
        // acknowledgement it waits for) took hundreds of produce requests.
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, topics.cdcPages().spec().maxMessageBytes());
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sluice-cdc");
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());

        JdbcTemplate db = new JdbcTemplate(dataSource);
        Gauge.builder("sluice.cdc.slot.lag", db, jdbc -> slotLag(jdbc, properties.slotName()))
                .description("WAL the replication slot holds back: bytes between the server's position and what the feed confirmed")
                .baseUnit("bytes")
                .strongReference(true) // the template lives only here: a gauge's default weak reference lost it (NaN)
                .register(meters);
        DebeziumStreamingMetrics.register(meters, CdcRunner.TOPIC_PREFIX);
        return new CdcRunner(properties, connections, producer, topics.cdcPages().name(), meters, traces);
    }

    private static double slotLag(JdbcTemplate db, String slot) {
        try {
            Long lag = db.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)::bigint FROM pg_replication_slots WHERE slot_name = ?",
                    result -> result.next() ? result.getLong(1) : null, slot);
            return lag == null ? Double.NaN : lag;
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }
}
