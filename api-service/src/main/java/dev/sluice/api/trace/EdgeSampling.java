package dev.sluice.api.trace;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.boot.micrometer.tracing.autoconfigure.TracingProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The API is the edge: a client may send a {@code traceparent}, and its trace is continued (its trace id kept) when
 * this instance samples the request, but a client cannot make it sample: the caller's sampled flag and trace id
 * (which a ratio sampler would read) decide nothing. Otherwise one client could have every request traced and
 * exported. Spans with a parent inside the process follow their parent, as everywhere else.
 */
@Configuration(proxyBeanMethods = false)
class EdgeSampling {

    @Bean
    Sampler edgeSampler(TracingProperties properties) {
        double probability = properties.getSampling().getProbability();
        Sampler coin = new CoinToss(probability);
        return Sampler.parentBasedBuilder(Sampler.traceIdRatioBased(probability))
                .setRemoteParentSampled(coin)
                .setRemoteParentNotSampled(coin)
                .build();
    }

    /** Samples with the probability, whatever the trace id. */
    static final class CoinToss implements Sampler {

        private final double probability;

        CoinToss(double probability) {
            this.probability = probability;
        }

        @Override
        public SamplingResult shouldSample(Context parent, String traceId, String name, SpanKind kind, Attributes attributes,
                List<LinkData> links) {
            return probability > 0 && ThreadLocalRandom.current().nextDouble() < probability
                    ? SamplingResult.recordAndSample() : SamplingResult.drop();
        }

        @Override
        public String getDescription() {
            return "CoinToss{" + probability + "}";
        }
    }
}
