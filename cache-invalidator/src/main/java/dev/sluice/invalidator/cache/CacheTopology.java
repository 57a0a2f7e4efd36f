package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cdc.PageChangeEvent;
import dev.sluice.core.stats.SiteStats;
import dev.sluice.platform.tracing.TraceContexts;
import io.micrometer.tracing.Span;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cdc.pages} into the cache, in two steps.
 *
 * <ol>
 *   <li>By page (the topic's key): each change fences the page's entry and drops it if older, and retires the
 *       cached lists and searches of its site. The page's state (site, live, version) is remembered, because the
 *       event of a row deleted outright names only the page id, and so that each change becomes a precise delta of
 *       its site's page count. The deltas are added up per site (in a store, so they move with the offsets) and
 *       passed on a few times a second: a site costs the next step one record per interval, not one per change.
 *   <li>By site (repartitioned): the deltas add up to the site's statistics, published to Redis a few times a
 *       second (only the sites that changed).
 * </ol>
 *
 * <p>The stores are cached: a page's state is read and written in memory, and reaches RocksDB and its changelog once
 * per commit however often the page changed (each write otherwise cost a RocksDB put and a changelog record).
 */
final class CacheTopology {

    static final String PAGES = "page-states";
    static final String SITE_DELTAS = "site-deltas";
    static final String SITES = "site-stats";
    static final String PAGE_EFFECTS = "page-effects";
    static final String SITE_EFFECTS = "site-effects";

    private static final Logger log = LoggerFactory.getLogger(CacheTopology.class);

    private CacheTopology() {}

    static Topology build(String cdcTopic, CacheEffects effects, Duration statsInterval) {
        return build(cdcTopic, effects, statsInterval, TraceContexts.NONE);
    }

    static Topology build(String cdcTopic, CacheEffects effects, Duration statsInterval, TraceContexts traces) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(PAGES), Serdes.String(), Serdes.String())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(SITE_DELTAS), Serdes.String(), SiteChange.serde())
                .withCachingEnabled());
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SITES), Serdes.String(), Serdes.String())
                .withCachingEnabled());
        builder.addStateStore(PendingEffects.builder(PAGE_EFFECTS));
        builder.addStateStore(PendingEffects.builder(SITE_EFFECTS));
        builder.stream(cdcTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()).withName("cdc-pages"))
                .process(() -> new ApplyToCache(effects, statsInterval, traces), Named.as("apply-to-cache"), PAGES, SITE_DELTAS, PAGE_EFFECTS)
                .repartition(Repartitioned.with(Serdes.String(), SiteChange.serde()).withName("site-changes"))
                .process(() -> new SiteStatistics(effects, statsInterval), Named.as("site-statistics"), SITES, SITE_EFFECTS);
        return builder.build();
    }

    private static final class ApplyToCache implements Processor<String, byte[], String, SiteChange> {

        private final CacheEffects effects;
        private final Duration deltasInterval;
        private ProcessorContext<String, SiteChange> context;
        private KeyValueStore<String, String> pages;
        private KeyValueStore<String, SiteChange> siteDeltas;
        private PendingEffects pending;
        private final TraceContexts traces;

        ApplyToCache(CacheEffects effects, Duration deltasInterval, TraceContexts traces) {
            this.effects = effects;
            this.traces = traces;
            this.deltasInterval = deltasInterval;
        }

        @Override
        public void init(ProcessorContext<String, SiteChange> context) {
            this.context = context;
            this.pages = context.getStateStore(PAGES);
            this.siteDeltas = context.getStateStore(SITE_DELTAS);
            this.pending = context.getStateStore(PAGE_EFFECTS);
            context.schedule(deltasInterval, PunctuationType.WALL_CLOCK_TIME, this::passOnSiteDeltas);
        }

        /** Each site's added-up delta to its statistics' task, and forgets it, in the same transaction. */
        private void passOnSiteDeltas(long now) {
            List<KeyValue<String, SiteChange>> deltas = new ArrayList<>();
            try (KeyValueIterator<String, SiteChange> all = siteDeltas.all()) {
                all.forEachRemaining(deltas::add);
            }
            for (KeyValue<String, SiteChange> delta : deltas) {
                context.forward(new Record<>(delta.key, delta.value, now));
                siteDeltas.delete(delta.key);
            }
        }

        @Override
        public void process(Record<String, byte[]> record) {
            PageChangeEvent change;
            try {
                change = PageChangeEvent.read(record.key(), record.value());
            } catch (PageChangeEvent.Unreadable e) {
                log.warn("Skipping an unreadable change event of page {}: {}", record.key(), e.getMessage());
                return;
            }
            if (change == null) {
                return;
            }
            String stored = pages.get(change.id());
            PageState before = stored == null ? null : PageState.decode(stored);
            PageState after;
            long fence;
            if (change.rowDeleted()) {
                pages.delete(change.id());
                after = null;
                fence = PageCacheProtocol.UNVERSIONED_DELETE_FENCE;
            } else {
                String site = change.site() != null ? change.site() : before == null ? null : before.site();
                boolean stale = before != null && change.version() <= before.version(); // redelivered, or older than known
                after = stale || site == null ? before : new PageState(site, !change.absent(), change.version());
                if (after != null && after != before) {
                    pages.put(change.id(), after.encode());
                }
                fence = change.version();
            }
            String site = after != null ? after.site() : before != null ? before.site() : null;
            CompletableFuture<?> effect = effects.pageChanged(change.id(), fence, site, change.committedAt());
            traceEffect(record, change, effect);
            pending.add(effect);
            if (site != null && after != before) {
                int delta = (after != null && after.live() ? 1 : 0) - (before != null && before.live() ? 1 : 0);
                SiteChange one = SiteChange.of(delta, change.absent() ? null : change.fetchedAt(), change.committedAt());
                SiteChange sofar = siteDeltas.get(site);
                siteDeltas.put(site, sofar == null ? one : sofar.plus(one));
            }
        }

        /** A sampled write's trace goes on in a span from here to Redis acknowledging the effect. */
        private void traceEffect(Record<String, byte[]> record, PageChangeEvent change, CompletableFuture<?> effect) {
            String traceparent = TraceContexts.traceparent(record.headers());
            Span.Builder builder = traceparent == null ? null : traces.continuing(traceparent);
            if (builder == null) {
                return;
            }
            Span span = builder.name("cache apply").kind(Span.Kind.CONSUMER).tag("sluice.page.id", change.id())
                    .tag("sluice.page.version", change.version()).tag("db.system", "redis").start();
            effect.whenComplete((done, error) -> {
                if (error != null) {
                    span.error(error);
                }
                span.end();
            });
        }
    }

    private static final class SiteStatistics implements Processor<String, SiteChange, Void, Void> {

        private final CacheEffects effects;
        private final Duration interval;
        private final Map<String, SiteStats> changed = new HashMap<>();
        private KeyValueStore<String, String> sites;
        private PendingEffects pending;

        SiteStatistics(CacheEffects effects, Duration interval) {
            this.effects = effects;
            this.interval = interval;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.sites = context.getStateStore(SITES);
            this.pending = context.getStateStore(SITE_EFFECTS);
            context.schedule(interval, PunctuationType.WALL_CLOCK_TIME, now -> publish());
        }

        @Override
        public void process(Record<String, SiteChange> record) {
            String stored = sites.get(record.key());
            SiteChange change = record.value();
            SiteStats stats = (stored == null ? SiteStats.empty() : SiteStats.fromJson(stored))
                    .with(change.pagesDelta(), change.newestFetch(), change.changesPerMinute());
            sites.put(record.key(), stats.toJson());
            changed.put(record.key(), stats);
        }

        private void publish() {
            if (!changed.isEmpty()) {
                pending.add(effects.siteStats(Map.copyOf(changed)));
                changed.clear();
            }
        }

        /** The last statistics, best effort: the task's last commit is behind it, and the state store has them. */
        @Override
        public void close() {
            if (!changed.isEmpty()) {
                try {
                    effects.siteStats(Map.copyOf(changed)).get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    log.debug("The last site statistics were not published on close: {}", e.toString());
                }
            }
        }
    }
}
