package dev.sluice.api.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.micrometer.tracing.autoconfigure.TracingProperties;

class EdgeSamplingTest {

    static final String ALWAYS_SAMPLED_BY_RATIO = "00000000000000000000000000000001"; // the lowest trace id a ratio sampler takes

    @Test
    void aClientCannotMakeTheApiSampleItsRequest() {
        var sampler = new EdgeSampling().edgeSampler(probability(0f));

        assertThat(decision(sampler, remoteParent(ALWAYS_SAMPLED_BY_RATIO, true))).isEqualTo(SamplingDecision.DROP);
    }

    @Test
    void aSampledRequestKeepsTheClientsTraceWhateverItsFlag() {
        var sampler = new EdgeSampling().edgeSampler(probability(1f));

        assertThat(decision(sampler, remoteParent("4bf92f3577b34da6a3ce929d0e0e4736", false))).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    @Test
    void aRemoteParentIsSampledAtTheConfiguredProbability() {
        var sampler = new EdgeSampling().edgeSampler(probability(0.25f));

        long sampled = IntStream.range(0, 4000)
                .filter(i -> decision(sampler, remoteParent(ALWAYS_SAMPLED_BY_RATIO, true)) == SamplingDecision.RECORD_AND_SAMPLE).count();

        assertThat(sampled).isBetween(800L, 1200L);
    }

    @Test
    void spansInsideTheProcessFollowTheirParent() {
        var sampler = new EdgeSampling().edgeSampler(probability(0f));
        SpanContext local = SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getSampled(),
                TraceState.getDefault());

        assertThat(decision(sampler, Context.root().with(Span.wrap(local)))).isEqualTo(SamplingDecision.RECORD_AND_SAMPLE);
    }

    private static SamplingDecision decision(io.opentelemetry.sdk.trace.samplers.Sampler sampler, Context parent) {
        String traceId = Span.fromContext(parent).getSpanContext().getTraceId();
        return sampler.shouldSample(parent, traceId, "http post /v1/pages", SpanKind.SERVER, Attributes.empty(), List.of()).getDecision();
    }

    private static Context remoteParent(String traceId, boolean sampled) {
        SpanContext remote = SpanContext.createFromRemoteParent(traceId, "00f067aa0ba902b7",
                sampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
        return Context.root().with(Span.wrap(remote));
    }

    private static TracingProperties probability(float probability) {
        TracingProperties properties = new TracingProperties();
        properties.getSampling().setProbability(probability);
        return properties;
    }
}
