package dev.sluice.invalidator.cdc;

import dev.sluice.core.json.Json;
import dev.sluice.platform.tracing.TraceContexts;
import io.micrometer.tracing.Span;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Carries a write's trace through the change feed. A worker applying sampled writes puts, in the same transaction,
 * a logical decoding message naming each page's trace ({@code dev.sluice.store.apply.BatchApplier#TRACE_MESSAGE}); PostgreSQL
 * hands it to the slot's reader just before the transaction's rows. The rows' change events then go out in a
 * span of their own (from the commit to Kafka's acknowledgement) whose context they carry in their headers, for the
 * cache and the search indexer to continue. Changes of other transactions, and everything when nothing is sampled,
 * are not even parsed here.
 */
final class ChangeTraces {

    private final TraceContexts traces;
    private final String messageDestination;
    private String transaction;
    private Map<String, String> pending = Map.of();

    ChangeTraces(TraceContexts traces, String topicPrefix) {
        this.traces = traces;
        this.messageDestination = topicPrefix + ".message";
    }

    boolean isTraceMessage(String destination) {
        return messageDestination.equals(destination);
    }

    /** A worker's message: the traces of the transaction whose rows come next. */
    void remember(byte[] value) {
        JsonNode event = Json.mapper().readTree(value);
        JsonNode content = event.path("message").path("content");
        Map<String, String> named = new HashMap<>();
        for (String line : decode(content.asString("")).split("\n")) {
            int space = line.indexOf(' ');
            if (space > 0) {
                named.put(line.substring(0, space), line.substring(space + 1));
            }
        }
        transaction = event.path("source").path("txId").toString();
        pending = named;
    }

    /** The span of publishing this change of a page, when its transaction named a trace for it; else null. */
    Span publishing(String pageId, byte[] value) {
        if (pending.isEmpty() || !pending.containsKey(pageId)) {
            return null;
        }
        JsonNode event = Json.mapper().readTree(value);
        JsonNode source = event.path("source");
        if (!transaction.equals(source.path("txId").toString())) {
            pending = Map.of(); // a later transaction: the named one has been published
            return null;
        }
        Span.Builder span = traces.continuing(pending.get(pageId));
        if (span == null) {
            return null;
        }
        return span.name("cdc.pages publish").kind(Span.Kind.PRODUCER)
                .tag("sluice.page.id", pageId).tag("db.operation", event.path("op").asString(""))
                .tag("sluice.cdc.lsn", source.path("lsn").asString(""))
                .startTimestamp(source.path("ts_ms").asLong(System.currentTimeMillis()), TimeUnit.MILLISECONDS)
                .start();
    }

    void inject(Span span, org.apache.kafka.common.header.Headers headers) {
        traces.inject(span.context(), headers);
    }

    /** A message's bytes, as the engine writes them: in hex ({@code binary.handling.mode}), or else in base64. */
    static String decode(String content) {
        try {
            return new String(HexFormat.of().parseHex(content), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notHex) {
            return new String(Base64.getDecoder().decode(content), StandardCharsets.UTF_8);
        }
    }
}
