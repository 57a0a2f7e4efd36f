package dev.sluice.ingest.search;

import dev.sluice.core.cdc.PageChangeEvent;
import dev.sluice.platform.tracing.TraceContexts;
import dev.sluice.store.search.SearchIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchMessageListener;

/**
 * One batch of {@code cdc.pages}: the pages it names are re-indexed from their current rows in one transaction,
 * then the cached search results that may have changed are retired (after the commit, so that no reader can cache
 * what preceded it under the new generation), and the lag from each change's commit to its being searchable is
 * recorded. The indexer reads the pages' current
 * rows rather than the events' columns: an update event lacks an unchanged TOASTed body, and the current row is what
 * search must show anyway. A database failure propagates and
 * the container retries the batch; an event that names no page is counted and skipped (it cannot be indexed, and
 * the next change of its page will be).
 */
class SearchIndexer implements BatchMessageListener<String, byte[]> {

    private static final Logger log = LoggerFactory.getLogger(SearchIndexer.class);

    private final SearchIndex index;
    private final SearchResultsCache results;
    private final Timer lag;
    private final Timer batchDuration;
    private final Counter indexed;
    private final Counter touched;
    private final Counter removed;
    private final MeterRegistry meters;

    private final TraceContexts traces;

    SearchIndexer(SearchIndex index, SearchResultsCache results, MeterRegistry meters, TraceContexts traces) {
        this.index = index;
        this.traces = traces;
        this.results = results;
        this.meters = meters;
        this.lag = Timer.builder("sluice.search.lag").description("From a page change's commit in PostgreSQL to its being searchable")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(meters);
        this.batchDuration = Timer.builder("sluice.search.batch.duration").description("Reading, extracting and indexing one batch")
                .publishPercentileHistogram().register(meters);
        this.indexed = pages(meters, "indexed");
        this.touched = pages(meters, "touched");
        this.removed = pages(meters, "removed");
    }

    private static Counter pages(MeterRegistry meters, String outcome) {
        return Counter.builder("sluice.search.pages").tag("outcome", outcome)
                .description("Pages by what the indexer did (touched: unchanged content, only fetch time and version moved)")
                .register(meters);
    }

    @Override
    public void onMessage(List<ConsumerRecord<String, byte[]>> records) {
        long started = System.nanoTime();
        Map<String, Instant> changed = new LinkedHashMap<>();
        List<Span> spans = new ArrayList<>(0);
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                PageChangeEvent change = PageChangeEvent.read(record.key(), record.value());
                if (change != null) {
                    traceOf(record, change).ifPresent(spans::add);
                    changed.merge(change.id(), change.committedAt() == null ? Instant.now() : change.committedAt(),
                            (a, b) -> a.isBefore(b) ? a : b);
                }
            } catch (PageChangeEvent.Unreadable e) {
                log.warn("Skipping {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                meters.counter("sluice.search.events.skipped").increment();
            }
        }
        if (changed.isEmpty()) {
            return;
        }
        SearchIndex.Outcome outcome;
        try {
            outcome = index.apply(changed.keySet());
        } catch (SQLException e) {
            IllegalStateException failed = new IllegalStateException("cannot index the batch now: " + e.getMessage(), e);
            spans.forEach(span -> span.error(failed).end());
            throw failed;
        }
        spans.forEach(Span::end);
        results.retire(outcome.sites());
        Instant now = Instant.now();
        changed.values().forEach(committed -> lag.record(Duration.between(committed, now).isNegative() ? Duration.ZERO
                : Duration.between(committed, now)));
        indexed.increment(outcome.indexed());
        touched.increment(outcome.touched());
        removed.increment(outcome.removed());
        batchDuration.record(Duration.ofNanos(System.nanoTime() - started));
    }

    /** A sampled write's trace goes on in a span of its indexing (the batch's transaction). */
    private Optional<Span> traceOf(ConsumerRecord<String, byte[]> record, PageChangeEvent change) {
        String traceparent = TraceContexts.traceparent(record.headers());
        Span.Builder span = traceparent == null ? null : traces.continuing(traceparent);
        return Optional.ofNullable(span).map(builder -> builder.name("search index").kind(Span.Kind.CONSUMER)
                .tag("sluice.page.id", change.id()).tag("db.system", "postgresql").start());
    }
}
