package dev.sluice.ingest.consume;

import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.EnvelopeFormatException;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.apply.BatchApplier;
import dev.sluice.store.apply.BatchCoalescer;
import dev.sluice.store.apply.PageWrite;
import io.micrometer.tracing.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.MDC;
import org.springframework.kafka.listener.BatchAcknowledgingMessageListener;
import org.springframework.kafka.support.Acknowledgment;

/**
 * One batch of {@code pages.v1}: decode (undecodable records become dead letters with their reason), coalesce per
 * page, apply with the group's positions in one transaction, then publish the applied positions and let Kafka
 * know (informational: the positions in PostgreSQL are the truth). A transient failure propagates, and the
 * container retries the same batch after a pause, forever; nothing transient ever becomes a dead letter. Sampled
 * writes go on with their traces ({@link BatchTrace}).
 */
class IngestListener implements BatchAcknowledgingMessageListener<String, byte[]> {

    private final EnvelopeCodec codec;
    private final BatchApplier applier;
    private final DeadLetters deadLetters;
    private final AppliedPositions applied;
    private final IngestMetrics metrics;
    private final String topic;
    private final TraceContexts traces;

    IngestListener(EnvelopeCodec codec, BatchApplier applier, DeadLetters deadLetters, AppliedPositions applied,
            IngestMetrics metrics, String topic, TraceContexts traces) {
        this.traces = traces;
        this.codec = codec;
        this.applier = applier;
        this.deadLetters = deadLetters;
        this.applied = applied;
        this.metrics = metrics;
        this.topic = topic;
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, byte[]>> records, Acknowledgment acknowledgment) {
        if (records.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        BatchTrace trace = BatchTrace.start(traces, records);
        MDC.put("batch", describe(records));
        try (Tracer.SpanInScope scope = traces.tracer().withSpan(trace.batch())) {
            List<PageWrite> writes = new ArrayList<>(records.size());
            Map<Long, ConsumerRecord<String, byte[]>> sources = new HashMap<>();
            Map<Integer, Long> nextOffsets = new HashMap<>();
            for (ConsumerRecord<String, byte[]> record : records) {
                nextOffsets.merge(record.partition(), record.offset() + 1, Math::max);
                try {
                    PageEnvelope envelope = codec.decode(record.value());
                    if (!envelope.id().equals(record.key())) {
                        throw new EnvelopeFormatException("the record key '" + record.key() + "' is not the page id " + envelope.id());
                    }
                    writes.add(new PageWrite(envelope, record.partition(), record.offset()));
                    sources.put(position(record.partition(), record.offset()), record);
                } catch (EnvelopeFormatException e) {
                    deadLetters.send(List.of(record), "undecodable: " + e.getMessage(), "undecodable");
                }
            }
            BatchApplier.Result result = applier.apply(BatchCoalescer.coalesce(writes), nextOffsets, trace.carriedOn(), (refused, reason) ->
                    deadLetters.send(refused.stream().map(w -> sources.get(position(w.partition(), w.offset()))).toList(),
                            reason, "refused"));
            applied.publish(topic, nextOffsets);
            acknowledgment.acknowledge();
            metrics.batch(records.size(), System.nanoTime() - started, result);
            trace.applied(result);
        } catch (RuntimeException e) {
            trace.failed(e);
            throw e;
        } finally {
            MDC.remove("batch");
        }
    }

    private static long position(int partition, long offset) {
        return ((long) partition << 48) ^ offset;
    }

    private static String describe(List<ConsumerRecord<String, byte[]>> records) {
        ConsumerRecord<String, byte[]> first = records.get(0);
        ConsumerRecord<String, byte[]> last = records.get(records.size() - 1);
        return first.topic() + " " + first.partition() + "@" + first.offset() + ".." + last.partition() + "@" + last.offset()
                + " (" + records.size() + ")";
    }
}
