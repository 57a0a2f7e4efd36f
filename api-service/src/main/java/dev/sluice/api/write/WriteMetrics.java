package dev.sluice.api.write;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** What the write path accepted: pages by operation and bytes. Rejections are counted by reason where they are answered. */
@Component
class WriteMetrics {

    private final Counter upserts;
    private final Counter deletes;
    private final Counter bytes;

    WriteMetrics(MeterRegistry meters) {
        this.upserts = Counter.builder("sluice.api.pages.accepted").tag("op", "upsert")
                .description("Pages acknowledged by Kafka and answered 202").register(meters);
        this.deletes = Counter.builder("sluice.api.pages.accepted").tag("op", "delete")
                .description("Pages acknowledged by Kafka and answered 202").register(meters);
        this.bytes = Counter.builder("sluice.api.bytes.accepted").baseUnit("bytes")
                .description("Encoded envelopes acknowledged by Kafka").register(meters);
    }

    void accepted(int upsertCount, int deleteCount, long envelopeBytes) {
        upserts.increment(upsertCount);
        deletes.increment(deleteCount);
        bytes.increment(envelopeBytes);
    }
}
