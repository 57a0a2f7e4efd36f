package dev.sluice.api.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Concurrent loads of one key in this instance share one execution: a hot key that just got invalidated costs the
 * database one query per instance, not one per reader. The load runs to its end whatever its readers do (one that
 * gives up cannot cancel it for the others), and is forgotten the moment it ends.
 */
public final class SingleFlight<K, V> {

    private final ConcurrentMap<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();
    private final Runnable onShared;

    /** @param onShared called for every caller that joined a load already in flight */
    public SingleFlight(Runnable onShared) {
        this.onShared = onShared;
    }

    public Mono<V> load(K key, Function<K, Mono<V>> loader) {
        return Mono.defer(() -> {
            boolean[] mine = {false};
            CompletableFuture<V> flight = inFlight.computeIfAbsent(key, k -> {
                mine[0] = true;
                return new CompletableFuture<>();
            });
            if (mine[0]) {
                Mono<V> load;
                try {
                    load = loader.apply(key);
                } catch (RuntimeException e) { // a loader that throws must not leave the key wedged
                    inFlight.remove(key, flight);
                    flight.completeExceptionally(e);
                    return Mono.fromFuture(flight, true);
                }
                load.subscribe(
                        value -> {
                            inFlight.remove(key, flight);
                            flight.complete(value);
                        },
                        error -> {
                            inFlight.remove(key, flight);
                            flight.completeExceptionally(error);
                        },
                        () -> {
                            inFlight.remove(key, flight);
                            flight.complete(null);
                        });
            } else {
                onShared.run();
            }
            return Mono.fromFuture(flight, true);
        });
    }
}
