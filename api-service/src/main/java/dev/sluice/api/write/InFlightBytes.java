package dev.sluice.api.write;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * The instance's budget of request bytes in memory, from the moment they are read until Kafka has them. Whatever
 * clients do, the write path holds at most this much; a request that would exceed it is refused (503), not
 * queued. Each request takes a {@link Reservation} and gives it back, whole, when it ends however it ends.
 */
@Component
class InFlightBytes {

    private final long limit;
    private final AtomicLong used = new AtomicLong();

    InFlightBytes(WriteProperties properties, MeterRegistry meters) {
        this.limit = properties.maxInFlight().toBytes();
        Gauge.builder("sluice.api.inflight.bytes", used, AtomicLong::get)
                .description("Request bytes held by the write path, not yet acknowledged by Kafka")
                .baseUnit("bytes")
                .register(meters);
    }

    Reservation reserve() {
        return new Reservation();
    }

    long used() {
        return used.get();
    }

    final class Reservation implements AutoCloseable {

        private long held;
        private boolean closed;

        /** @return false if the instance's budget cannot take {@code bytes} more */
        synchronized boolean add(long bytes) {
            if (closed) {
                return false;
            }
            long now = used.addAndGet(bytes);
            if (now > limit) {
                used.addAndGet(-bytes);
                return false;
            }
            held += bytes;
            return true;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                used.addAndGet(-held);
                held = 0;
            }
        }
    }
}
