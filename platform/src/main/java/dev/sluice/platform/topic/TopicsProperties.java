package dev.sluice.platform.topic;

import dev.sluice.core.envelope.PageEnvelopeSerde;
import dev.sluice.core.topic.TopicSpec;
import dev.sluice.core.topic.Topics;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The pipeline's topics: names, partition counts, replication and retention ({@code sluice.topics.*}). Each
 * topic has its own record so each default is declared, and documented, once.
 *
 * <p>(A nested record cannot take its defaults from an array {@code @DefaultValue} on the parent: Boot binds it
 * to null. Hence one record per topic.)
 */
@Validated
@ConfigurationProperties("sluice.topics")
public record TopicsProperties(
        @DefaultValue @Valid Pages pages, @DefaultValue @Valid PagesDeadLetters pagesDeadLetters, @DefaultValue @Valid CdcPages cdcPages) {

    /**
     * {@code sluice.topics.pages.*}: writes from the API, keyed by page id.
     *
     * @param name topic name (default pages.v1)
     * @param partitions partitions, the most ingest workers that can share the work (default 12)
     * @param replicationFactor replicas per partition, -1 for the broker's default (default -1)
     * @param retention how long writes are kept, so they can be replayed (default 7d)
     * @param maxMessageSize largest record the topic takes; above Kafka's 1 MB default, for large pages (default 8MB)
     * @param minInsyncReplicas replicas that must hold a write before it is acknowledged, -1 for the replication
     *     factor minus one, at least 1 (default -1)
     */
    public record Pages(
            @DefaultValue(Topics.PAGES) @NotBlank String name,
            @DefaultValue("12") @Positive int partitions,
            @DefaultValue("-1") @Min(-1) short replicationFactor,
            @DefaultValue("7d") @DurationMin(millis = 1) Duration retention,
            @DefaultValue("8MB") DataSize maxMessageSize,
            @DefaultValue("-1") @Min(-1) short minInsyncReplicas) {}

    /**
     * {@code sluice.topics.pages-dead-letters.*}: records that could not be applied, with the reason.
     *
     * @param name topic name (default pages.v1.dlq)
     * @param partitions partitions (default 12)
     * @param replicationFactor replicas per partition, -1 for the broker's default (default -1)
     * @param retention how long dead letters are kept for investigation (default 30d)
     * @param maxMessageSize largest record the topic takes: a dead letter is the original record (default 8MB)
     * @param minInsyncReplicas replicas that must hold a record before it is acknowledged, -1 for the replication
     *     factor minus one, at least 1 (default -1)
     */
    public record PagesDeadLetters(
            @DefaultValue(Topics.PAGES_DLQ) @NotBlank String name,
            @DefaultValue("12") @Positive int partitions,
            @DefaultValue("-1") @Min(-1) short replicationFactor,
            @DefaultValue("30d") @DurationMin(millis = 1) Duration retention,
            @DefaultValue("8MB") DataSize maxMessageSize,
            @DefaultValue("-1") @Min(-1) short minInsyncReplicas) {}

    /**
     * {@code sluice.topics.cdc-pages.*}: change events of the pipeline's tables, keyed by page id.
     *
     * @param name topic name (default cdc.pages)
     * @param partitions partitions (default 12)
     * @param replicationFactor replicas per partition, -1 for the broker's default (default -1)
     * @param retention how long change events are kept; the backup archive must read them within it (default 7d)
     * @param maxMessageSize largest record the topic takes: a change event carries the row (default 8MB)
     * @param minInsyncReplicas replicas that must hold a record before it is acknowledged, -1 for the replication
     *     factor minus one, at least 1 (default -1)
     */
    public record CdcPages(
            @DefaultValue(Topics.CDC_PAGES) @NotBlank String name,
            @DefaultValue("12") @Positive int partitions,
            @DefaultValue("-1") @Min(-1) short replicationFactor,
            @DefaultValue("7d") @DurationMin(millis = 1) Duration retention,
            @DefaultValue("8MB") DataSize maxMessageSize,
            @DefaultValue("-1") @Min(-1) short minInsyncReplicas) {}

    public Topics toTopics(PageEnvelopeSerde envelopeSerde) {
        return Topics.of(
                new TopicSpec(pages.name(), pages.partitions(), pages.replicationFactor(), pages.retention(),
                        Math.toIntExact(pages.maxMessageSize().toBytes()), pages.minInsyncReplicas()),
                new TopicSpec(pagesDeadLetters.name(), pagesDeadLetters.partitions(), pagesDeadLetters.replicationFactor(),
                        pagesDeadLetters.retention(), Math.toIntExact(pagesDeadLetters.maxMessageSize().toBytes()),
                        pagesDeadLetters.minInsyncReplicas()),
                new TopicSpec(cdcPages.name(), cdcPages.partitions(), cdcPages.replicationFactor(), cdcPages.retention(),
                        Math.toIntExact(cdcPages.maxMessageSize().toBytes()), cdcPages.minInsyncReplicas()),
                envelopeSerde);
    }
}
