package dev.sluice.invalidator.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

/**
 * The Redis effects a task has issued and not yet seen acknowledged, as a state store so that Kafka Streams waits for
 * them where it matters: it flushes every store of a task before committing the task's offsets, and this store's
 * flush returns only once every effect landed (or throws, and the commit fails, and the records are processed
 * again). The effects can therefore be sent without waiting for each one (Lettuce pipelines them over one
 * connection) and still never be skipped by a commit.
 */
final class PendingEffects implements StateStore {

    /** Longer than Redis' own command timeout: the command fails first, with its own reason. */
    private static final long FLUSH_TIMEOUT_SECONDS = 120;

    private final String name;
    private final List<CompletableFuture<?>> pending = new ArrayList<>();
    private boolean open;

    private PendingEffects(String name) {
        this.name = name;
    }

    static StoreBuilder<PendingEffects> builder(String name) {
        return new StoreBuilder<>() {
            @Override
            public StoreBuilder<PendingEffects> withCachingEnabled() {
                return this;
            }

            @Override
            public StoreBuilder<PendingEffects> withCachingDisabled() {
                return this;
            }

            @Override
            public StoreBuilder<PendingEffects> withLoggingEnabled(Map<String, String> config) {
                return this;
            }

            @Override
            public StoreBuilder<PendingEffects> withLoggingDisabled() {
                return this;
            }

            @Override
            public PendingEffects build() {
                return new PendingEffects(name);
            }

            @Override
            public Map<String, String> logConfig() {
                return Map.of();
            }

            @Override
            public boolean loggingEnabled() {
                return false; // nothing to restore: what was pending when a task died is processed again
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    /** Remembers an effect in flight until the next commit. */
    void add(CompletableFuture<?> effect) {
        pending.add(effect);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        context.register(root, (key, value) -> {});
        open = true;
    }

    /** Called by Kafka Streams before it commits the task: waits for every effect issued since the last commit. */
    @Override
    public void flush() {
        try {
            for (CompletableFuture<?> effect : pending) {
                effect.get(FLUSH_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("a cache effect failed; the records since the last commit will be processed again: "
                    + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("a cache effect was not acknowledged within " + FLUSH_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for cache effects", e);
        } finally {
            pending.clear();
        }
    }

    @Override
    public void close() {
        pending.clear(); // a closing task commits first if it can; otherwise its records are processed again
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
