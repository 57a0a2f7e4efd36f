package dev.sluice.invalidator.cdc;

import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.apply.BatchApplier;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.JsonByteArray;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the Debezium engine while this instance holds the slot's leadership, and stands by otherwise: a loop that
 * takes the lock, runs the engine until it stops or the lock's session dies, then lets go and tries again.
 * The engine's position lives in Kafka ({@code offsets-topic}), the slot keeps the WAL from there on: whichever
 * instance reads next resumes exactly where the last one confirmed, missing nothing.
 */
final class CdcRunner implements SmartLifecycle {

    static final String TOPIC_PREFIX = "sluice";

    private static final Logger log = LoggerFactory.getLogger(CdcRunner.class);

    private final CdcProperties properties;
    private final ConnectionProperties connections;
    private final KafkaProducer<String, byte[]> producer;
    private final ChangePublisher publisher;
    private final SlotLeadership leadership;
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicBoolean leading = new AtomicBoolean();
    private final ExecutorService loop = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "cdc-leadership"));
    private volatile DebeziumEngine<ChangeEvent<byte[], byte[]>> engine;

    CdcRunner(CdcProperties properties, ConnectionProperties connections, KafkaProducer<String, byte[]> producer,
            String cdcTopic, MeterRegistry meters) {
        this(properties, connections, producer, cdcTopic, meters, TraceContexts.NONE);
    }

    CdcRunner(CdcProperties properties, ConnectionProperties connections, KafkaProducer<String, byte[]> producer,
            String cdcTopic, MeterRegistry meters, TraceContexts traces) {
        this.properties = properties;
        this.connections = connections;
        this.producer = producer;
        this.publisher = new ChangePublisher(producer, cdcTopic, TOPIC_PREFIX, meters, new ChangeTraces(traces, TOPIC_PREFIX));
        this.leadership = new SlotLeadership(connections.pg().jdbcUrl(), connections.pg().user(), connections.pg().password(),
                properties.slotName(), properties.leaderLease());
        Gauge.builder("sluice.cdc.leader", leading, flag -> flag.get() ? 1 : 0)
                .description("1 while this instance reads the replication slot, 0 on standby").register(meters);
    }

    boolean isLeading() {
        return leading.get();
    }

    @Override
    public void start() {
        if (running.compareAndSet(false, true)) {
            loop.execute(this::leadOrStandBy);
        }
    }

    private void leadOrStandBy() {
        while (running.get()) {
            try {
                leadOnce();
            } catch (RuntimeException e) {
                log.warn("Change-data-capture leadership loop failed, retrying: {}", e.toString(), e);
                leading.set(false);
                pause(properties.standbyRetryInterval());
            }
        }
    }

    /** Takes the slot if free and reads it until the engine stops or leadership is lost; else waits a little. */
    private void leadOnce() {
        if (!leadership.tryAcquire()) {
            pause(properties.standbyRetryInterval());
            return;
        }
        leading.set(true);
        log.info("This instance now reads the replication slot {}", properties.slotName());
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        ExecutorService engineThread = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "cdc-engine"));
        try {
            engine = DebeziumEngine.create(JsonByteArray.class) // bytes as the converter writes them: no String in between
                    .using(engineProperties())
                    .notifying(publisher)
                    .using((success, message, error) -> {
                        if (!success) {
                            log.warn("The change-data-capture engine stopped: {}", message, error);
                        }
                        stopped.complete(null);
                    })
                    .build();
            engineThread.execute(engine);
            while (running.get() && !stopped.isDone() && leadership.stillHeld()) {
                try {
                    stopped.get(1, TimeUnit.SECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // still running: check the lock again
                } catch (Exception e) {
                    break;
                }
            }
        } finally {
            leading.set(false); // before closing: an engine cut off from PostgreSQL may take long to close
            closeEngine();
            engineThread.shutdownNow();
            leadership.close();
        }
        if (running.get()) {
            log.warn("Gave up the replication slot {} (engine stopped or leadership lost); standing by", properties.slotName());
            pause(properties.standbyRetryInterval());
        }
    }

    private Properties engineProperties() {
        ConnectionProperties.Postgres pg = connections.pg();
        Properties config = new Properties();
        config.setProperty("name", "sluice-cdc");
        config.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        config.setProperty("offset.storage", "org.apache.kafka.connect.storage.KafkaOffsetBackingStore");
        config.setProperty("offset.storage.topic", properties.offsetsTopic());
        config.setProperty("offset.storage.partitions", "1");
        config.setProperty("offset.storage.replication.factor", "-1");
        config.setProperty("offset.flush.interval.ms", "1000");
        config.setProperty("bootstrap.servers", connections.kafka().bootstrap());
        config.putAll(connections.kafka().security().clientProperties()); // the offset store's clients take these
        config.putAll(DebeziumConnection.of(pg)); // with the URL's parameters: sslmode and the rest reach Debezium too
        config.setProperty("topic.prefix", TOPIC_PREFIX);
        config.setProperty("plugin.name", "pgoutput");
        config.setProperty("publication.name", dev.sluice.store.schema.SchemaMigrator.PUBLICATION);
        config.setProperty("publication.autocreate.mode", "disabled"); // the migrations own it
        config.setProperty("slot.name", properties.slotName());
        config.setProperty("table.include.list", "public.pages,public.cdc_heartbeat"); // heartbeats are not published
        config.setProperty("column.exclude.list", "public.pages.change_xid"); // the change feed API's order, not the event's
        // the workers' transactional messages naming the traces their rows carry on (see ChangeTraces)
        config.setProperty("message.prefix.include.list", java.util.regex.Pattern.quote(BatchApplier.TRACE_MESSAGE));
        config.setProperty("heartbeat.action.query",
                "INSERT INTO cdc_heartbeat (id, at) VALUES (1, now()) ON CONFLICT (id) DO UPDATE SET at = excluded.at");
        config.setProperty("snapshot.mode", properties.snapshotMode());
        config.setProperty("poll.interval.ms", Long.toString(properties.pollInterval().toMillis()));
        config.setProperty("heartbeat.interval.ms", Long.toString(properties.heartbeatInterval().toMillis()));
        config.setProperty("binary.handling.mode", "hex");
        config.setProperty("converter.schemas.enable", "false");
        config.setProperty("converter.class", DirectJsonConverter.class.getName()); // JsonConverter's bytes, without its tree
        return config;
    }

    private void closeEngine() {
        DebeziumEngine<ChangeEvent<byte[], byte[]>> current = engine;
        engine = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException | RuntimeException e) {
                // an engine that failed has shut itself down already
                log.debug("Closing the change-data-capture engine: {}", e.toString());
            }
        }
    }

    private void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis()); // the standby's retry cadence: nothing to wait on but time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    @Override
    public void stop() {
        if (running.compareAndSet(true, false)) {
            closeEngine();
            loop.shutdown();
            try {
                if (!loop.awaitTermination(30, TimeUnit.SECONDS)) {
                    loop.shutdownNow();
                }
            } catch (InterruptedException e) {
                loop.shutdownNow();
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(10));
        }
    }

    @Override
    public boolean isRunning() {
        return running.get();
    }
}
