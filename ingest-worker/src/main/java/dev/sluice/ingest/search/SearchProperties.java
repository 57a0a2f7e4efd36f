package dev.sluice.ingest.search;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The search indexer ({@code sluice.search.*}): a consumer group of its own on {@code cdc.pages}, scaled and
 * switched off independently of ingestion.
 *
 * @param enabled whether this process runs the indexer (default true)
 * @param groupId its consumer group (default search-indexer)
 * @param concurrency consumers in this process (default 1)
 * @param maxBatch most change events per batch, one transaction each (default 500)
 * @param textSearchConfig the PostgreSQL text search configuration documents are built with; the API's search
 *     must query with the same one (default english)
 * @param retryMaxInterval longest pause between retries of a batch that failed for a transient reason (default 10s)
 * @param reconcileAtStart at start, find the pages whose search entry does not match them (a database restored to
 *     a point in time has the search index of its snapshot) and reindex them, in the background (default true)
 * @param nearDuplicates fingerprint each indexed page's text (64-bit simhash) for {@code GET
 *     /v1/pages/{id}/near-duplicates} and the sites' duplicate ratios (default true); off, pages are indexed
 *     without one (docs/benchmarks.md has what it costs)
 */
@Validated
@ConfigurationProperties("sluice.search")
public record SearchProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("search-indexer") @NotBlank String groupId,
        @DefaultValue("1") @Positive int concurrency,
        @DefaultValue("500") @Positive int maxBatch,
        @DefaultValue("english") @NotBlank String textSearchConfig,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration retryMaxInterval,
        @DefaultValue("true") boolean reconcileAtStart,
        @DefaultValue("true") boolean nearDuplicates) {}
