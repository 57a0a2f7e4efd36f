package dev.sluice.api.ratelimit;

import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Read rate limits of one API instance ({@code sluice.api.read-limit.*}): reads per second per API key, and per
 * client address for reads without a key. 0 turns a limit off.
 *
 * @param keyRate reads per second of one API key, sustained (default 1000)
 * @param keyBurst reads of one API key at once (default 2000)
 * @param anonymousRate reads per second of one client address without a key (an IPv6 client's /64) (default 200)
 * @param anonymousBurst reads of one client address at once (default 400)
 * @param maxClients most keys and addresses tracked at once; the least recently seen are forgotten (default 100000)
 */
@Validated
@ConfigurationProperties("sluice.api.read-limit")
public record ReadLimitProperties(
        @Min(0) @DefaultValue("1000") int keyRate,
        @Min(1) @DefaultValue("2000") int keyBurst,
        @Min(0) @DefaultValue("200") int anonymousRate,
        @Min(1) @DefaultValue("400") int anonymousBurst,
        @Min(1) @DefaultValue("100000") int maxClients) {}
