package dev.sluice.core.topic;

import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.envelope.PageEnvelopeSerde;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * The registry of the pipeline's topics, built once from configuration and immutable. Every producer, consumer
 * and topology asks it for a topic rather than naming one.
 *
 * @param pages writes from the API, keyed by page id (the envelope)
 * @param pagesDeadLetters records that could not be applied: the original bytes, the reason in headers
 * @param cdcPages Debezium change events of the pipeline's tables, keyed by page id
 */
public record Topics(
        Topic<String, PageEnvelope> pages,
        Topic<String, byte[]> pagesDeadLetters,
        Topic<String, byte[]> cdcPages) {

    /** The default names: every other mention of a topic refers to these (or to the configured name). */
    public static final String PAGES = "pages.v1";
    public static final String PAGES_DLQ = "pages.v1.dlq";
    public static final String CDC_PAGES = "cdc.pages";

    /** Defaults: 12 partitions; 7 days to replay {@code pages.v1}; 30 days to investigate dead letters. */
    public static final TopicSpec DEFAULT_PAGES = new TopicSpec(PAGES, 12, (short) -1, Duration.ofDays(7), TopicSpec.DEFAULT_MAX_MESSAGE_BYTES);
    public static final TopicSpec DEFAULT_PAGES_DLQ = new TopicSpec(PAGES_DLQ, 12, (short) -1, Duration.ofDays(30), TopicSpec.DEFAULT_MAX_MESSAGE_BYTES);
    public static final TopicSpec DEFAULT_CDC_PAGES = new TopicSpec(CDC_PAGES, 12, (short) -1, Duration.ofDays(7), TopicSpec.DEFAULT_MAX_MESSAGE_BYTES);

    public static Topics of(TopicSpec pages, TopicSpec pagesDeadLetters, TopicSpec cdcPages, PageEnvelopeSerde envelopeSerde) {
        Serde<String> keys = Serdes.String();
        Serde<byte[]> bytes = Serdes.ByteArray();
        return new Topics(
                new Topic<>(pages, keys, envelopeSerde),
                new Topic<>(pagesDeadLetters, keys, bytes),
                new Topic<>(cdcPages, keys, bytes));
    }

    public static Topics defaults() {
        return of(DEFAULT_PAGES, DEFAULT_PAGES_DLQ, DEFAULT_CDC_PAGES, new PageEnvelopeSerde());
    }

    public List<TopicSpec> all() {
        return List.of(pages.spec(), pagesDeadLetters.spec(), cdcPages.spec());
    }
}
