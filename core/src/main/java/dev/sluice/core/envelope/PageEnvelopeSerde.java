package dev.sluice.core.envelope;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serde of the {@code pages.v1} value. Deserialising a bad record throws {@link EnvelopeFormatException}. */
public final class PageEnvelopeSerde implements Serde<PageEnvelope> {

    private final EnvelopeCodec codec;

    public PageEnvelopeSerde(EnvelopeCodec codec) {
        this.codec = codec;
    }

    public PageEnvelopeSerde() {
        this(new EnvelopeCodec());
    }

    @Override
    public Serializer<PageEnvelope> serializer() {
        return (topic, envelope) -> envelope == null ? null : codec.encode(envelope);
    }

    @Override
    public Deserializer<PageEnvelope> deserializer() {
        return (topic, bytes) -> codec.decode(bytes);
    }
}
