package dev.sluice.backup.schedule;

import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The change archive ({@code sluice.backup.archive.*}).
 *
 * @param enabled archive {@code cdc.pages} in this process (default true)
 * @param groupId the archiver's consumer group (default {@code sluice-backup-archive})
 * @param segmentDuration how long a segment collects changes before it is closed and published: the most a
 *     point-in-time restore can lag the present (default 1m)
 */
@Validated
@ConfigurationProperties("sluice.backup.archive")
public record ArchiveProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("sluice-backup-archive") @NotBlank String groupId,
        @DefaultValue("1m") @DurationMin(millis = 1) Duration segmentDuration) {}
