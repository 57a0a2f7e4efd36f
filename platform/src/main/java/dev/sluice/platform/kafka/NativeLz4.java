package dev.sluice.platform.kafka;

import dev.sluice.core.kafka.NativeCompression;
import org.springframework.boot.context.event.ApplicationStartingEvent;
import org.springframework.context.ApplicationListener;

/** Loads native lz4 before any Kafka client exists (see {@link NativeCompression}). */
public final class NativeLz4 implements ApplicationListener<ApplicationStartingEvent> {

    @Override
    public void onApplicationEvent(ApplicationStartingEvent event) {
        NativeCompression.loadLz4();
    }
}
