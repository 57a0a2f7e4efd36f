package dev.sluice.api.auth;

import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * API keys ({@code sluice.api.auth.*}). Writes always need a key with the {@code write} scope.
 *
 * @param readsRequireKey whether reads need a key with the {@code read} scope too (default false: reads are open)
 * @param cacheTtl how long a verified key (or an unknown one) is remembered before it is looked up again; a
 *     revocation takes effect on every instance within it (default 30s)
 * @param maxStale how much longer a key's last answer is used while PostgreSQL cannot be reached to look it up
 *     again, so writes keep being accepted through a database outage (default 1h)
 * @param devKey a key to install as {@code local-dev} at start, for the local run only; never set in production
 *     (default none)
 */
@Validated
@ConfigurationProperties("sluice.api.auth")
public record AuthProperties(
        @DefaultValue("false") boolean readsRequireKey,
        @DefaultValue("30s") @DurationMin(millis = 1) Duration cacheTtl,
        @DefaultValue("1h") @DurationMin(millis = 0) Duration maxStale,
        String devKey) {

    @Override
    public String toString() {
        return "AuthProperties[readsRequireKey=" + readsRequireKey + ", cacheTtl=" + cacheTtl + ", maxStale=" + maxStale
                + ", devKey=" + (devKey == null ? "none" : "***") + "]";
    }
}
