package dev.sluice.invalidator.cache;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;
import java.nio.file.Path;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The topology that applies {@code cdc.pages} to Redis ({@code sluice.invalidator.*}).
 *
 * @param enabled whether this process runs it (default true)
 * @param applicationId the Kafka Streams application id (its consumer group and state topics' prefix; default
 *     sluice-cache-invalidator)
 * @param stateDir where Kafka Streams keeps its local state (default ./.sluice-streams, relative to the process)
 * @param threads stream threads in this process (default 2: page changes and site statistics overlap)
 * @param statsInterval how often each page task passes its added-up site deltas on, and how often the statistics of
 *     sites that changed are written to Redis (default 250ms)
 * @param commitInterval how often the topology commits, exactly once (default 1s); cache effects do not wait for it
 * @param consistency the continuous consistency SLI
 */
@Validated
@ConfigurationProperties("sluice.invalidator")
public record CacheStreamsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("sluice-cache-invalidator") @NotBlank String applicationId,
        @DefaultValue(".sluice-streams") Path stateDir,
        @DefaultValue("2") @Positive int threads,
        @DefaultValue("250ms") @DurationMin(millis = 1) Duration statsInterval,
        @DefaultValue("1s") @DurationMin(millis = 1) Duration commitInterval,
        @DefaultValue @Valid Consistency consistency) {

    /**
     * The consistency SLI ({@code sluice.invalidator.consistency.*}): a sample of applied changes looked at again.
     *
     * @param sampleRate the fraction of applied changes sampled, 0 to 1; 0 turns the SLI off (default 0.01)
     * @param delay how long after a change its cache entry is looked at: the SLI is "consistent within delay"
     *     (default 1s)
     * @param window the samples the ratio and the nines are computed over (default 10000)
     */
    public record Consistency(
            @DefaultValue("0.01") @DecimalMin("0") @DecimalMax("1") double sampleRate,
            @DefaultValue("1s") @DurationMin(millis = 1) Duration delay,
            @DefaultValue("10000") @Positive int window) {}
}
