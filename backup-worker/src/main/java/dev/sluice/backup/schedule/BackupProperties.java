package dev.sluice.backup.schedule;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The backup worker's snapshots ({@code sluice.backup.*}).
 *
 * @param directory where backups are written, one folder each (default {@code backups})
 * @param schedule when to take a snapshot: a Spring cron expression, seconds first; {@code -} for never
 *     (default {@code 0 0 * * * *}, hourly)
 * @param zstdLevel compression level, 1 (fast) to 19 (small) (default 3)
 * @param maxAge the health check turns DOWN when the last successful snapshot is older than this (default 26h)
 */
@ConfigurationProperties("sluice.backup")
public record BackupProperties(
        @DefaultValue("backups") Path directory,
        @DefaultValue("0 0 * * * *") String schedule,
        @DefaultValue("3") int zstdLevel,
        @DefaultValue("26h") Duration maxAge) {}
