package dev.sluice.api.read.search;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Search ({@code sluice.api.search.*}).
 *
 * @param textSearchConfig the PostgreSQL text search configuration queries are parsed with; the same as the
 *     indexer's {@code sluice.search.text-search-config} (default english)
 * @param maxQueryLength the longest query accepted, in characters (default 256)
 * @param maxQueryTerms the most words a query may have ({@code or} not counted): each is a lookup in the index, and a
 *     query of many {@code or}ed words reads most of it (default 16)
 */
@Validated
@ConfigurationProperties("sluice.api.search")
public record SearchProperties(
        @DefaultValue("english") @NotBlank String textSearchConfig,
        @DefaultValue("256") @Positive int maxQueryLength,
        @DefaultValue("16") @Positive int maxQueryTerms) {}
