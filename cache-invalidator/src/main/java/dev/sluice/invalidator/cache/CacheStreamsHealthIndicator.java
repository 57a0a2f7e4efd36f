package dev.sluice.invalidator.cache;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code cacheStreams} health component, part of readiness: out of service until the topology has run once (a
 * new instance is not ready while it still creates its topics and tasks), then up, rebalances included (they are
 * brief, and every instance goes through them when another joins or leaves); down once the topology failed or
 * stopped.
 */
final class CacheStreamsHealthIndicator extends AbstractHealthIndicator {

    private final KafkaStreams streams;
    private final AtomicBoolean hasRun = new AtomicBoolean();

    /** Created before the topology starts (Spring starts lifecycles after every bean exists): it listens from the first state. */
    CacheStreamsHealthIndicator(KafkaStreams streams) {
        super("Cache topology check failed");
        this.streams = streams;
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                hasRun.set(true);
            }
        });
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        KafkaStreams.State state = streams.state();
        Status status = switch (state) {
            case RUNNING -> Status.UP;
            case CREATED, REBALANCING -> hasRun.get() ? Status.UP : Status.OUT_OF_SERVICE;
            default -> Status.DOWN; // PENDING_ERROR, ERROR, PENDING_SHUTDOWN, NOT_RUNNING
        };
        builder.status(status).withDetail("state", state.name());
    }
}
