package dev.sluice.api.read.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Function;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * Concurrent loads of one key in this instance share one execution: a hot key that just got invalidated costs the
 * database one query per instance, not one per reader. The load runs to its end whatever its readers do (one that
 * gives up cannot cancel it for the others), and is forgotten the moment it ends.
 *
 * <p>A reader that must see a given write (a read after a consistency wait) joins only a load known to have
 * started after that write was applied ({@link #loadIf}): each such load carries what was known applied when it
 * started (its basis), and a reader joins it only if that covers its write; otherwise it starts its own, with its
 * own basis, which later readers may join.
 */
public final class SingleFlight<K, V> {

    private record Flight<V>(CompletableFuture<V> result, Object basis) {}

    private final ConcurrentMap<K, Flight<V>> inFlight = new ConcurrentHashMap<>();
    private final Runnable onShared;

    /** @param onShared called for every caller that joined a load already in flight */
    public SingleFlight(Runnable onShared) {
        this.onShared = onShared;
    }

    public Mono<V> load(K key, Function<K, Mono<V>> loader) {
        return loadIf(key, null, basis -> true, loader);
    }

    /**
     * Joins a load of {@code key} in flight only if {@code joinable} accepts its basis; else starts one with
     * {@code basis}. Every load of one instance should use the same kind of basis.
     */
    @SuppressWarnings("unchecked")
    public <B> Mono<V> loadIf(K key, B basis, Predicate<B> joinable, Function<K, Mono<V>> loader) {
        return Mono.defer(() -> {
            boolean[] mine = {false};
            Flight<V> flight = inFlight.compute(key, (k, existing) -> {
                if (existing != null && joinable.test((B) existing.basis())) {
                    return existing;
                }
                mine[0] = true; // none, or one this caller cannot trust: a new one, which later callers may join
                return new Flight<>(new CompletableFuture<>(), basis);
            });
            if (mine[0]) {
                run(key, flight, loader);
            } else {
                onShared.run();
            }
            return Mono.fromFuture(flight.result(), true);
        });
    }

    private void run(K key, Flight<V> flight, Function<K, Mono<V>> loader) {
        Mono<V> load;
        try {
            load = loader.apply(key);
        } catch (RuntimeException e) { // a loader that throws must not leave the key wedged
            inFlight.remove(key, flight);
            flight.result().completeExceptionally(e);
            return;
        }
        load.subscribe(
                value -> {
                    inFlight.remove(key, flight);
                    flight.result().complete(value);
                },
                error -> {
                    inFlight.remove(key, flight);
                    flight.result().completeExceptionally(error);
                },
                () -> {
                    inFlight.remove(key, flight);
                    flight.result().complete(null);
                });
    }
}
