package dev.sluice.backup.schedule;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The change archive ({@code sluice.backup.archive.*}).
 *
 * @param enabled archive {@code cdc.pages} in this process (default true)
 * @param groupId the archiver's consumer group (default {@code sluice-backup-archive})
 * @param segmentDuration how long a segment collects changes before it is closed and published: the most a
 *     point-in-time restore can lag the present (default 1m)
 */
@ConfigurationProperties("sluice.backup.archive")
public record ArchiveProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("sluice-backup-archive") String groupId,
        @DefaultValue("1m") Duration segmentDuration) {}
