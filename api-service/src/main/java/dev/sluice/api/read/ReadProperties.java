package dev.sluice.api.read;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Reads ({@code sluice.api.read.*}).
 *
 * @param cacheTtl how long a cached page (or a cached 404) lives without being invalidated (default 1h)
 * @param redisTimeout how long a read waits for Redis before going to PostgreSQL alone (default 50ms)
 * @param consistencyWait how long a read with a Consistency-Token waits for its write to be applied before 504
 *     (default 5s)
 */
@ConfigurationProperties("sluice.api.read")
public record ReadProperties(
        @DefaultValue("1h") Duration cacheTtl,
        @DefaultValue("50ms") Duration redisTimeout,
        @DefaultValue("5s") Duration consistencyWait) {}
