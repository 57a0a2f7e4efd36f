package dev.sluice.api.search;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Search ({@code sluice.api.search.*}).
 *
 * @param textSearchConfig the PostgreSQL text search configuration queries are parsed with; the same as the
 *     indexer's {@code sluice.search.text-search-config} (default english)
 * @param maxQueryLength the longest query accepted, in characters (default 256)
 */
@ConfigurationProperties("sluice.api.search")
public record SearchProperties(
        @DefaultValue("english") String textSearchConfig,
        @DefaultValue("256") int maxQueryLength) {}
