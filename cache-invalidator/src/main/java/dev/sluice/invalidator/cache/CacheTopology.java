package dev.sluice.invalidator.cache;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cdc.PageChangeEvent;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code cdc.pages} into the cache: for each change of a page, its entry is fenced and dropped if older, and the
 * lists of its site are retired. The topology remembers each page's site (a state store, changelogged by Kafka
 * Streams), because the event of a row deleted outright names only the page id.
 */
final class CacheTopology {

    static final String SITES = "page-sites";

    private static final Logger log = LoggerFactory.getLogger(CacheTopology.class);

    private CacheTopology() {}

    static Topology build(String cdcTopic, CacheEffects effects) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(SITES), Serdes.String(), Serdes.String()));
        builder.stream(cdcTopic, Consumed.with(Serdes.String(), Serdes.ByteArray()))
                .process(() -> new ApplyToCache(effects), SITES);
        return builder.build();
    }

    private static final class ApplyToCache implements Processor<String, byte[], Void, Void> {

        private final CacheEffects effects;
        private KeyValueStore<String, String> sites;

        ApplyToCache(CacheEffects effects) {
            this.effects = effects;
        }

        @Override
        public void init(ProcessorContext<Void, Void> context) {
            this.sites = context.getStateStore(SITES);
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
            String site = change.site();
            long fence;
            if (change.rowDeleted()) {
                site = sites.delete(change.id()); // the event names only the page
                fence = PageCacheProtocol.UNVERSIONED_DELETE_FENCE;
            } else {
                if (site != null) {
                    sites.put(change.id(), site);
                }
                fence = change.version();
            }
            effects.invalidatePage(change.id(), fence);
            if (site != null) {
                effects.retireSiteLists(site);
            }
            if (change.committedAt() != null) {
                effects.applied(change.committedAt());
            }
        }
    }
}
