package dev.sluice.backup.schedule;

import dev.sluice.backup.store.S3Properties;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The backup worker's snapshots ({@code sluice.backup.*}).
 *
 * @param directory where backups and the change archive are written, one folder each, unless {@code s3} names a
 *     bucket (default {@code backups})
 * @param schedule when to take a snapshot: a Spring cron expression, seconds first; {@code -} for never
 *     (default {@code 0 0 * * * *}, hourly)
 * @param zstdLevel compression level, 1 (fast) to 19 (small) (default 3)
 * @param maxAge the health check turns DOWN when the last successful snapshot is older than this (default 26h)
 * @param drillSchedule when to rehearse a restore of the latest backup (cron; default {@code -}, never)
 * @param retention what to keep after each scheduled snapshot
 * @param s3 S3-compatible object storage instead of the directory
 */
@Validated
@ConfigurationProperties("sluice.backup")
public record BackupProperties(
        @DefaultValue("backups") Path directory,
        @DefaultValue("0 0 * * * *") @NotBlank String schedule,
        @DefaultValue("3") @Min(1) @Max(22) int zstdLevel,
        @DefaultValue("26h") @DurationMin(millis = 1) Duration maxAge,
        @DefaultValue("-") @NotBlank String drillSchedule,
        @DefaultValue @Valid Retention retention,
        @DefaultValue @NestedConfigurationProperty @Valid S3Properties s3) {

    /**
     * @param keepLast the newest N (default 7)
     * @param keepDaily the newest of each of the last N days (default 7)
     * @param keepWeekly the newest of each of the last N weeks (default 4)
     * @param keepMonthly the newest of each of the last N months (default 6)
     */
    public record Retention(@DefaultValue("7") @PositiveOrZero int keepLast, @DefaultValue("7") @PositiveOrZero int keepDaily, @DefaultValue("4") @PositiveOrZero int keepWeekly,
            @DefaultValue("6") @PositiveOrZero int keepMonthly) {}
}
