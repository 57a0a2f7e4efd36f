package dev.sluice.invalidator.check;

import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The periodic consistency check of the cache ({@code sluice.invalidator.check.*}).
 *
 * @param interval time between checks, 0 to never run (default 60s)
 * @param sample entries per check (default 1000)
 */
@Validated
@ConfigurationProperties("sluice.invalidator.check")
public record CheckProperties(@DefaultValue("60s") @DurationMin(millis = 1) Duration interval, @DefaultValue("1000") @Positive long sample) {}
