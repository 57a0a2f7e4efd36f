package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.platform.tracing.TraceContexts;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ChangeTracesTest {

    static final String PAGE = "0123456789abcdef0123456789abcdef";
    static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    final SimpleTracer tracer = new SimpleTracer();
    final ChangeTraces traces = new ChangeTraces(new TraceContexts(tracer, io.micrometer.tracing.propagation.Propagator.NOOP), "sluice");

    @Test
    void aChangeOfTheTransactionThatNamedATraceIsPublishedInASpanOfThatTrace() {
        assertThat(traces.isTraceMessage("sluice.message")).isTrue();
        traces.remember(message(741, PAGE + " " + TRACEPARENT + "\n"));

        Span span = traces.publishing(PAGE, change(741, 1764928800123L));

        assertThat(span).isNotNull();
        assertThat(tracer.getSpans()).singleElement().satisfies(recorded -> {
            assertThat(recorded.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
            assertThat(recorded.getParentId()).isEqualTo("00f067aa0ba902b7");
            assertThat(recorded.getName()).isEqualTo("cdc.pages publish");
            assertThat(recorded.getStartTimestamp().toEpochMilli()).as("from the commit").isEqualTo(1764928800123L);
        });
    }

    @Test
    void changesOfOtherPagesOrLaterTransactionsCarryNoTrace() {
        traces.remember(message(741, PAGE + " " + TRACEPARENT + "\n"));

        assertThat(traces.publishing("ffffffffffffffffffffffffffffffff", change(741, 1L))).isNull();
        assertThat(traces.publishing(PAGE, change(742, 1L))).as("a later transaction of the same page").isNull();
        assertThat(traces.publishing(PAGE, change(741, 1L))).as("forgotten once a later transaction came").isNull();
        assertThat(tracer.getSpans()).isEmpty();
    }

    /** A logical decoding message as the engine's JSON converter writes it (content in hex). */
    static byte[] message(long txId, String content) {
        return ("{\"op\":\"m\",\"ts_ms\":1,\"source\":{\"txId\":" + txId + ",\"lsn\":100},\"message\":{\"prefix\":\"sluice.trace\",\"content\":\""
                + HexFormat.of().formatHex(content.getBytes(StandardCharsets.UTF_8)) + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] change(long txId, long commitMillis) {
        return ("{\"before\":null,\"after\":{\"id\":\"" + PAGE + "\",\"version\":1},\"op\":\"c\",\"source\":{\"txId\":" + txId
                + ",\"lsn\":120,\"ts_ms\":" + commitMillis + "}}").getBytes(StandardCharsets.UTF_8);
    }
}
