package dev.sluice.api.cache;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Concurrent loads of one key in this instance share one execution: a hot key that just got invalidated costs the
 * database one query per instance, not one per reader. The shared load is forgotten as soon as it completes.
 */
public final class SingleFlight<K, V> {

    private final ConcurrentMap<K, Mono<V>> inFlight = new ConcurrentHashMap<>();
    private final Runnable onShared;

    /** @param onShared called for every caller that joined a load already in flight */
    public SingleFlight(Runnable onShared) {
        this.onShared = onShared;
    }

    public Mono<V> load(K key, Function<K, Mono<V>> loader) {
        return Mono.defer(() -> {
            boolean[] mine = {false};
            Mono<V> shared = inFlight.computeIfAbsent(key, k -> {
                mine[0] = true;
                return loader.apply(k).doFinally(signal -> inFlight.remove(k)).cache();
            });
            if (!mine[0]) {
                onShared.run();
            }
            return shared;
        });
    }
}
