package dev.sluice.api.read.cache;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reads ({@code sluice.api.read.*}).
 *
 * @param cacheTtl how long a cached page (or a cached 404) lives without being invalidated (default 1h)
 * @param listTtl how long a cached page of a site's list lives; a change of the site retires it at once (default 10m)
 * @param searchTtl how long a cached search result lives; the indexer retires it at once after each batch, so this
 *     only bounds staleness when Redis missed that (default 60s)
 * @param redisTimeout how long a read waits for Redis before going to PostgreSQL alone (default 250ms: well above
 *     Redis's own sub-millisecond answers, so that an API instance that is merely busy (cold JIT, a full CPU)
 *     does not mistake its own queueing for a Redis outage and move every read onto PostgreSQL)
 * @param consistencyWait how long a read with a Consistency-Token waits for its write to be applied before 504
 *     (default 5s)
 * @param leaseTtl how long one API instance may hold the right to read a missed page while the others wait for
 *     its fill (default 300ms; past it the others read PostgreSQL themselves)
 * @param degradedReads how many reads one instance serves from PostgreSQL alone at once while Redis is unavailable;
 *     more are answered 503 with Retry-After, so that a Redis outage cannot become a PostgreSQL stampede (default 32,
 *     twice the database pool)
 * @param statsFallbackTtl how long a site's statistics computed from PostgreSQL (when the change feed's are not in
 *     Redis) are reused by this instance; a count over a large site is the dearest read there is (default 10s)
 * @param breaker the circuit breaker in front of Redis
 */
@Validated
@ConfigurationProperties("sluice.api.read")
public record ReadProperties(
        @DefaultValue("1h") @DurationMin(millis = 1) Duration cacheTtl,
        @DefaultValue("10m") @DurationMin(millis = 1) Duration listTtl,
        @DefaultValue("60s") @DurationMin(millis = 1) Duration searchTtl,
        @DefaultValue("250ms") @DurationMin(millis = 1) Duration redisTimeout,
        @DefaultValue("5s") @DurationMin(millis = 1) Duration consistencyWait,
        @DefaultValue("300ms") @DurationMin(millis = 1) Duration leaseTtl,
        @DefaultValue("32") @Positive int degradedReads,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration statsFallbackTtl,
        @DefaultValue @Valid Breaker breaker) {

    /**
     * The circuit breaker in front of Redis ({@code sluice.api.read.breaker.*}).
     *
     * @param window the last calls it judges by (default 20)
     * @param failureRate the percentage of failed or timed-out calls among them that opens it (default 50)
     * @param openFor how long it stays open, every read going to PostgreSQL alone, before probing again (default 5s)
     * @param probes calls let through to probe a half-open breaker (default 3)
     */
    public record Breaker(
            @DefaultValue("20") @Positive int window,
            @DefaultValue("50") @DecimalMin("1") @DecimalMax("100") float failureRate,
            @DefaultValue("5s") @DurationMin(millis = 1) Duration openFor,
            @DefaultValue("3") @Positive int probes) {}
}
