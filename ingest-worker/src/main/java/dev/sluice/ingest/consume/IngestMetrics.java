package dev.sluice.ingest.consume;

import dev.sluice.store.apply.BatchApplier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * Batches (size, duration of the transaction), writes by outcome (inserted, updated, fenced off as older,
 * refused), retries. Consumer lag comes from the Kafka client's own metrics.
 */
@Component
class IngestMetrics {

    private final DistributionSummary batchSize;
    private final Timer batchDuration;
    private final Counter inserted;
    private final Counter updated;
    private final Counter fenced;
    private final Counter refused;
    private final Counter retries;

    IngestMetrics(MeterRegistry meters) {
        this.batchSize = DistributionSummary.builder("sluice.ingest.batch.size").description("Records per batch")
                .publishPercentileHistogram().register(meters);
        this.batchDuration = Timer.builder("sluice.ingest.batch.duration")
                .description("From a batch's arrival to its commit (decode, upsert, positions)").publishPercentileHistogram().register(meters);
        this.inserted = writes(meters, "inserted");
        this.updated = writes(meters, "updated");
        this.fenced = writes(meters, "fenced");
        this.refused = writes(meters, "refused");
        this.retries = Counter.builder("sluice.ingest.retries").description("Batches retried after a transient failure").register(meters);
    }

    private static Counter writes(MeterRegistry meters, String outcome) {
        return Counter.builder("sluice.ingest.writes").tag("outcome", outcome)
                .description("Coalesced page writes by outcome (fenced: older than what is stored)").register(meters);
    }

    void batch(int records, long nanos, BatchApplier.Result result) {
        batchSize.record(records);
        batchDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        inserted.increment(result.inserted());
        updated.increment(result.updated());
        fenced.increment(result.fenced());
        refused.increment(result.rejected());
    }

    void retry() {
        retries.increment();
    }
}
