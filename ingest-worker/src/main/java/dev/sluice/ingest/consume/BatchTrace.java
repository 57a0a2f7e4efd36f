package dev.sluice.ingest.consume;

import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.apply.BatchApplier;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The spans of one batch: the batch's own (its transaction), linked to the send of every sampled write it holds, and
 * for each of those writes a span of its page's apply in the write's own trace, linked to the batch. The page spans'
 * contexts go on to the change feed with the rows ({@link BatchApplier#apply}), so the trace of a write continues
 * into its cache effect and its indexing. A batch without a sampled write has a batch span only, sampled or not by
 * this worker's own probability.
 */
final class BatchTrace {

    /** OpenTelemetry keeps 128 links per span by default; the rest of a larger batch's pages still have their spans. */
    private static final int MAX_LINKS = 128;

    private final Span batch;
    private final List<Span> pages;
    private final Map<String, String> carriedOn;

    private BatchTrace(Span batch, List<Span> pages, Map<String, String> carriedOn) {
        this.batch = batch;
        this.pages = pages;
        this.carriedOn = carriedOn;
    }

    static BatchTrace start(TraceContexts traces, List<ConsumerRecord<String, byte[]>> records) {
        long startedMicros = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
        List<ConsumerRecord<String, byte[]>> sampled = new ArrayList<>();
        List<String> traceparents = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            String traceparent = TraceContexts.traceparent(record.headers());
            if (traceparent != null) {
                sampled.add(record);
                traceparents.add(traceparent);
            }
        }
        ConsumerRecord<String, byte[]> first = records.get(0);
        Span.Builder batchBuilder = sampled.isEmpty() ? traces.tracer().spanBuilder() : traces.continuing(traceparents.get(0));
        batchBuilder.name(first.topic() + " apply batch").kind(Span.Kind.CONSUMER)
                .tag("messaging.system", "kafka").tag("messaging.destination.name", first.topic())
                .tag("messaging.batch.message_count", records.size()).startTimestamp(startedMicros, TimeUnit.MICROSECONDS);
        for (int i = 1; i < Math.min(traceparents.size(), MAX_LINKS); i++) {
            batchBuilder.addLink(new Link(traces.context(traceparents.get(i))));
        }
        Span batch = batchBuilder.start();
        if (sampled.isEmpty()) {
            return new BatchTrace(batch, List.of(), Map.of());
        }
        List<Span> pages = new ArrayList<>(sampled.size());
        Map<String, String> carriedOn = new HashMap<>();
        for (int i = 0; i < sampled.size(); i++) {
            ConsumerRecord<String, byte[]> record = sampled.get(i);
            Span page = traces.continuing(traceparents.get(i)).name(record.topic() + " apply").kind(Span.Kind.CONSUMER)
                    .tag("sluice.page.id", String.valueOf(record.key()))
                    .tag("messaging.kafka.partition", record.partition()).tag("messaging.kafka.offset", record.offset())
                    .addLink(new Link(batch.context())).startTimestamp(startedMicros, TimeUnit.MICROSECONDS).start();
            pages.add(page);
            String traceparent = traces.traceparent(page.context());
            if (traceparent != null && record.key() != null) {
                carriedOn.put(record.key(), traceparent);
            }
        }
        return new BatchTrace(batch, pages, carriedOn);
    }

    Span batch() {
        return batch;
    }

    /** Page id to the {@code traceparent} its change event is to carry. */
    Map<String, String> carriedOn() {
        return carriedOn;
    }

    void applied(BatchApplier.Result result) {
        batch.tag("sluice.ingest.inserted", result.inserted()).tag("sluice.ingest.updated", result.updated())
                .tag("sluice.ingest.fenced", result.fenced()).tag("sluice.ingest.refused", result.rejected());
        end(null);
    }

    void failed(Throwable error) {
        end(error);
    }

    private void end(Throwable error) {
        for (Span span : pages) {
            if (error != null) {
                span.error(error);
            }
            span.end();
        }
        if (error != null) {
            batch.error(error);
        }
        batch.end();
    }
}
