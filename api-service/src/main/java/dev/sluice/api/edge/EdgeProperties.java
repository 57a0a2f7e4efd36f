package dev.sluice.api.edge;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long the public port waits for a client ({@code sluice.api.edge.*}): every connection and every request is
 * bounded in time, so slow or silent clients cannot hold connections or memory.
 *
 * @param requestHeadTimeout from the first byte of a request to the end of its headers; past it the connection is
 *     closed (default 10s)
 * @param idleTimeout a kept-alive connection without a request is closed after this (default 60s)
 * @param bodyReadTimeout longest pause between two pieces of a request body before a {@code 408} (default 10s)
 * @param bodyTimeout longest time to receive a whole request body before a {@code 408} (default 120s)
 * @param lingerOnClose after an answer that closes the connection while the client is still sending (a {@code 413}
 *     before the body), how long what it sends is still read and dropped, so that the client reads the answer
 *     instead of a reset (default 2s)
 */
@Validated
@ConfigurationProperties("sluice.api.edge")
public record EdgeProperties(
        @NotNull @DefaultValue("10s") Duration requestHeadTimeout,
        @NotNull @DefaultValue("60s") Duration idleTimeout,
        @NotNull @DefaultValue("10s") Duration bodyReadTimeout,
        @NotNull @DefaultValue("120s") Duration bodyTimeout,
        @NotNull @DefaultValue("2s") Duration lingerOnClose) {}
