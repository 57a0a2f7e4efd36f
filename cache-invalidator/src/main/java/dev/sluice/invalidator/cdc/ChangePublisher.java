package dev.sluice.invalidator.cdc;

import dev.sluice.core.json.Json;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Span;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import tools.jackson.databind.JsonNode;

/**
 * Hands each batch of Debezium change events to {@code cdc.pages}, keyed by page id, and marks them processed only
 * once Kafka acknowledged them all: the engine's position never gets ahead of what the topic holds (at least once;
 * consumers are idempotent by version). Events arrive as the JSON converter's bytes and are published as they are.
 * Heartbeats, other tables and the workers' trace messages ({@link ChangeTraces}) are acknowledged without being
 * published.
 */
final class ChangePublisher implements DebeziumEngine.ChangeConsumer<ChangeEvent<byte[], byte[]>> {

    private static final byte[] KEY_START = "{\"id\":\"".getBytes(StandardCharsets.US_ASCII);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final String pagesDestination;
    private final Counter published;
    private final ChangeTraces traces;

    ChangePublisher(KafkaProducer<String, byte[]> producer, String topic, String topicPrefix, MeterRegistry meters,
            ChangeTraces traces) {
        this.producer = producer;
        this.traces = traces;
        this.topic = topic;
        this.pagesDestination = topicPrefix + ".public.pages";
        this.published = Counter.builder("sluice.cdc.events").description("Change events of pages published to cdc.pages")
                .register(meters);
    }

    @Override
    public void handleBatch(List<ChangeEvent<byte[], byte[]>> events, DebeziumEngine.RecordCommitter<ChangeEvent<byte[], byte[]>> committer)
            throws InterruptedException {
        List<Future<RecordMetadata>> sent = new ArrayList<>(events.size());
        List<Span> spans = new ArrayList<>(0);
        for (ChangeEvent<byte[], byte[]> event : events) {
            if (pagesDestination.equals(event.destination()) && event.key() != null) {
                String id = pageId(event.key());
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, id, event.value());
                Span span = traces.publishing(id, event.value());
                if (span != null) {
                    traces.inject(span, record.headers());
                    spans.add(span);
                }
                sent.add(producer.send(record));
            } else if (traces.isTraceMessage(event.destination()) && event.value() != null) {
                traces.remember(event.value());
            }
        }
        try {
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
        } catch (ExecutionException e) {
            spans.forEach(span -> span.error(e.getCause()).end());
            // Not marked processed: the engine stops, and the next reader resumes before these events.
            throw new IllegalStateException("Kafka did not take the change events: " + e.getCause(), e.getCause());
        }
        spans.forEach(Span::end);
        for (ChangeEvent<byte[], byte[]> event : events) {
            committer.markProcessed(event);
        }
        committer.markBatchFinished();
        published.increment(sent.size());
    }

    /**
     * Debezium's key is the primary key as JSON: {@code {"id":"…"}} (with schemas: under {@code payload}). The
     * converter writes it in exactly that shape, read here without a parser when it holds nothing escaped.
     */
    static String pageId(byte[] key) {
        int end = key.length - 2;
        if (end > KEY_START.length && Arrays.equals(key, 0, KEY_START.length, KEY_START, 0, KEY_START.length)
                && key[end] == '"' && key[end + 1] == '}') {
            boolean plain = true;
            for (int i = KEY_START.length; i < end && plain; i++) {
                plain = key[i] != '"' && key[i] != '\\';
            }
            if (plain) {
                return new String(key, KEY_START.length, end - KEY_START.length, StandardCharsets.UTF_8);
            }
        }
        JsonNode node = Json.mapper().readTree(key);
        JsonNode id = node.has("payload") ? node.get("payload").get("id") : node.get("id");
        if (id == null || !id.isString()) {
            throw new IllegalStateException("a change of pages without an id in its key: " + new String(key, StandardCharsets.UTF_8));
        }
        return id.asString();
    }
}
