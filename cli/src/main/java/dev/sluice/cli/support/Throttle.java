package dev.sluice.cli.support;

import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import java.time.Duration;

/**
 * Holds a long command to at most a given rate (records or pages per second), so it cannot starve live traffic
 * of the database or the brokers. A rate of 0 means unthrottled.
 */
public final class Throttle {

    private static final Duration PERIOD = Duration.ofMillis(100);

    private final RateLimiter limiter;
    private final int perPeriod;

    public Throttle(int perSecond) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("a rate cannot be negative: " + perSecond);
        }
        this.perPeriod = Math.max(1, perSecond / 10);
        this.limiter = perSecond == 0 ? null : RateLimiter.of("throttle", RateLimiterConfig.custom()
                .limitRefreshPeriod(PERIOD)
                .limitForPeriod(perPeriod)
                .timeoutDuration(Duration.ofDays(1))
                .build());
    }

    /** Blocks until {@code n} more may go. */
    public void acquire(int n) {
        if (limiter == null) {
            return;
        }
        for (int left = n; left > 0; left -= perPeriod) {
            limiter.acquirePermission(Math.min(left, perPeriod));
        }
    }
}
