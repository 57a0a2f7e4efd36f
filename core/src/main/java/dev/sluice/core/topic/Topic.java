package dev.sluice.core.topic;

import org.apache.kafka.common.serialization.Serde;

/**
 * A topic with its key and value types: the name and the serdes travel together, so no code pairs a topic name
 * with the wrong format.
 */
public record Topic<K, V>(TopicSpec spec, Serde<K> keySerde, Serde<V> valueSerde) {

    public String name() {
        return spec.name();
    }
}
