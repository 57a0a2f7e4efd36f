package dev.sluice.api.search;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Search ({@code sluice.api.search.*}).
 *
 * @param textSearchConfig the PostgreSQL text search configuration queries are parsed with; the same as the
 *     indexer's {@code sluice.search.text-search-config} (default english)
 * @param maxQueryLength the longest query accepted, in characters (default 256)
 * @param maxQueryTerms the most words a query may have ({@code or} not counted): each is a lookup in the index, and a
 *     query of many {@code or}ed words reads most of it (default 16)
 */
@ConfigurationProperties("sluice.api.search")
public record SearchProperties(
        @DefaultValue("english") String textSearchConfig,
        @DefaultValue("256") int maxQueryLength,
        @DefaultValue("16") int maxQueryTerms) {}
