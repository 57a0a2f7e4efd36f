package dev.sluice.platform.tracing;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Carries a trace from one hop of the pipeline to the next as a W3C {@code traceparent}: in Kafka record headers
 * ({@code pages.v1}, {@code cdc.pages}) and as text (the worker hands it to the change feed through PostgreSQL).
 * Only sampled traces are carried: an unsampled write costs no header bytes and no span downstream.
 */
public final class TraceContexts {

    public static final String HEADER = "traceparent";

    /** For code run without tracing (tests, the command line): no span is ever recorded. */
    public static final TraceContexts NONE = new TraceContexts(Tracer.NOOP, Propagator.NOOP);

    private final Tracer tracer;
    private final Propagator propagator;

    public TraceContexts(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** The {@code traceparent} of a sampled context, or null for an unsampled one. */
    public String traceparent(TraceContext context) {
        if (context == null || !Boolean.TRUE.equals(context.sampled())) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        propagator.inject(context, carrier, Map::put);
        return carrier.get(HEADER);
    }

    /** Adds the context to a record's headers, if it is sampled. */
    public void inject(TraceContext context, Headers headers) {
        String traceparent = traceparent(context);
        if (traceparent != null) {
            headers.remove(HEADER).add(HEADER, traceparent.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** The sampled trace a record's headers carry, or null. */
    public static String traceparent(Headers headers) {
        Header header = headers.lastHeader(HEADER);
        return header == null ? null : sampledOrNull(new String(header.value(), StandardCharsets.US_ASCII));
    }

    /** A span continuing a sampled {@code traceparent}, or null when there is none to continue. */
    public Span.Builder continuing(String traceparent) {
        TraceContext parent = context(traceparent);
        return parent == null ? null : tracer.spanBuilder().setParent(parent);
    }

    /** The context a sampled {@code traceparent} names (for a parent or a link), or null. */
    public TraceContext context(String traceparent) {
        if (sampledOrNull(traceparent) == null) {
            return null;
        }
        return tracer.traceContextBuilder().traceId(traceparent.substring(3, 35)).spanId(traceparent.substring(36, 52))
                .sampled(true).build();
    }

    /** {@code 00-<trace id>-<span id>-<flags>}, sampled (flag bit 0); anything else is ignored. */
    static String sampledOrNull(String traceparent) {
        if (traceparent == null || traceparent.length() != 55 || traceparent.charAt(2) != '-') {
            return null;
        }
        int flags = Character.digit(traceparent.charAt(54), 16);
        return flags >= 0 && (flags & 1) == 1 ? traceparent : null;
    }
}
