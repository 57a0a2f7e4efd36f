package dev.sluice.invalidator.cdc;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The change-data-capture feed ({@code sluice.cdc.*}): a Debezium engine reading PostgreSQL's logical replication
 * slot (pgoutput, publication {@code sluice_cdc}) and publishing each change of {@code pages} to {@code cdc.pages}.
 *
 * @param enabled whether this process takes part in reading the slot (default true)
 * @param slotName the replication slot; one per deployment (default sluice_cdc)
 * @param snapshotMode Debezium's snapshot mode; {@code no_data} streams from now on without replaying the table
 *     (default no_data: a new deployment must not push every page through the feed)
 * @param offsetsTopic the Kafka topic holding the engine's position, so a restart or a standby resumes where the
 *     last reader stopped (default sluice.cdc.offsets)
 * @param pollInterval how often the engine hands changes over (default 50ms)
 * @param heartbeatInterval how often the engine confirms its position to PostgreSQL even without changes of
 *     {@code pages}, so the slot does not hold WAL back (default 10s)
 * @param standbyRetryInterval how often a standby instance tries to take over the slot (default 2s)
 * @param leaderLease how long the reader's session may go unheard (a network partition, a frozen process) before a
 *     standby ends it and takes the slot over: with the retry interval, the longest such a fault stops the feed
 *     (default 15s; the reader checks in every second)
 */
@Validated
@ConfigurationProperties("sluice.cdc")
public record CdcProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("sluice_cdc") @Pattern(regexp = "[a-z0-9_]{1,63}") String slotName,
        @DefaultValue("no_data") @NotBlank String snapshotMode,
        @DefaultValue("sluice.cdc.offsets") @NotBlank String offsetsTopic,
        @DefaultValue("50ms") @DurationMin(millis = 1) Duration pollInterval,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration heartbeatInterval,
        @DefaultValue("2s") @DurationMin(millis = 1) Duration standbyRetryInterval,
        @DefaultValue("15s") Duration leaderLease) {

    public CdcProperties {
        if (leaderLease.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException("sluice.cdc.leader-lease must be at least 3s (the reader checks in every second), not " + leaderLease);
        }
    }
}
