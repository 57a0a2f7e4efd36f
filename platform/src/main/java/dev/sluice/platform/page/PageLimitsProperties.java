package dev.sluice.platform.page;

import dev.sluice.core.page.PageLimits;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on every page ({@code sluice.pages.*}). Shared: the API validates against them and the ingest worker's
 * decoder re-validates against the same, so raising a limit in one place cannot turn accepted pages into dead
 * letters in the other.
 *
 * @param maxUrlLength longest URL, in characters (default 4096)
 * @param maxTitleLength longest title, in characters (default 4096)
 * @param maxContentTypeLength longest content type, in characters (default 255)
 * @param maxBodySize largest body, UTF-8 (default 4MB)
 * @param maxMetadataSize largest metadata object, serialised (default 16KB)
 * @param maxClockSkew how far in the future fetched_at may be (default 5m)
 */
@Validated
@ConfigurationProperties("sluice.pages")
public record PageLimitsProperties(
        @DefaultValue("4096") @Positive int maxUrlLength,
        @DefaultValue("4096") @Positive int maxTitleLength,
        @DefaultValue("255") @Positive int maxContentTypeLength,
        @DefaultValue("4MB") DataSize maxBodySize,
        @DefaultValue("16KB") DataSize maxMetadataSize,
        @DefaultValue("5m") @DurationMin(millis = 0) Duration maxClockSkew) {

    public PageLimits toLimits() {
        return new PageLimits(maxUrlLength, maxTitleLength, maxContentTypeLength, maxBodySize.toBytes(),
                Math.toIntExact(maxMetadataSize.toBytes()), maxClockSkew);
    }
}
