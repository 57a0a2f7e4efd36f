package dev.sluice.invalidator.check;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The periodic consistency check of the cache ({@code sluice.invalidator.check.*}).
 *
 * @param interval time between checks, 0 to never run (default 60s)
 * @param sample entries per check (default 1000)
 */
@ConfigurationProperties("sluice.invalidator.check")
public record CheckProperties(@DefaultValue("60s") Duration interval, @DefaultValue("1000") long sample) {}
