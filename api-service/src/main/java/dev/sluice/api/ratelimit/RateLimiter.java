package dev.sluice.api.ratelimit;

import dev.sluice.api.auth.ApiKey;
import dev.sluice.core.cache.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Per-key token buckets in Redis, shared by every API instance: one atomic script per request refills the bucket
 * from Redis's own clock (no skew between instances) and takes the request's pages from it, or says how long to
 * wait. If Redis cannot answer within 200 ms the request is let through (and counted): the limit protects the
 * pipeline, it is not a guarantee worth refusing writes for.
 *
 * <p>A refusal is also remembered in this instance until the bucket will hold one page again: until then
 * {@link #knownEmpty} says so without asking Redis, and the write path refuses the key's requests before reading
 * their bodies, so a client that ignores {@code Retry-After} costs a header, not a body.
 */
@Component
public class RateLimiter {

    private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);
    private static final Duration TIMEOUT = Duration.ofMillis(200);

    /** KEYS[1] bucket; ARGV rate (pages/s), burst, cost. Returns {allowed, tokens left, seconds to wait}. */
    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> TOKEN_BUCKET = RedisScript.of("""
            local rate = tonumber(ARGV[1])
            local burst = tonumber(ARGV[2])
            local cost = tonumber(ARGV[3])
            local time = redis.call('TIME')
            local now = tonumber(time[1]) + tonumber(time[2]) / 1000000
            local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(bucket[1]) or burst
            local at = tonumber(bucket[2]) or now
            tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
            local allowed = 0
            local wait = 0
            if tokens >= cost then
              tokens = tokens - cost
              allowed = 1
            else
              wait = (cost - tokens) / rate
            end
            redis.call('HSET', KEYS[1], 'tokens', tokens, 'at', now)
            redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
            return {allowed, tostring(tokens), tostring(wait)}
            """, List.class);

    /**
     * @param allowed whether the pages may go
     * @param limit the bucket's size (the key's burst)
     * @param remaining pages that could go right now
     * @param retryAfter when not allowed, how long until they could
     * @param resetAfter how long until the bucket is full again
     * @param untilOnePage how long until the bucket holds one page (zero if it does)
     */
    public record Decision(boolean allowed, int limit, long remaining, Duration retryAfter, Duration resetAfter, Duration untilOnePage) {}

    private final ReactiveStringRedisTemplate redis;
    private final RedisKeys keys;
    private final Counter unavailable;
    /** Key id → when (System.nanoTime) its bucket will hold one page again, after a refusal. */
    private final Cache<String, Long> emptyUntil = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();

    RateLimiter(ReactiveStringRedisTemplate redis, RedisKeys keys, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.unavailable = Counter.builder("sluice.api.ratelimit.unavailable")
                .description("Requests let through because Redis could not answer the rate limiter in time")
                .register(meters);
    }

    public Mono<Decision> acquire(ApiKey key, int pages) {
        return redis.execute(TOKEN_BUCKET, List.of(keys.rateLimit(key.id())),
                        List.of(Integer.toString(key.ratePerSecond()), Integer.toString(key.burst()), Integer.toString(pages)))
                .next()
                .map(reply -> decision(key, reply))
                .doOnNext(decision -> {
                    if (!decision.untilOnePage().isZero()) {
                        emptyUntil.put(key.id(), System.nanoTime() + decision.untilOnePage().toNanos());
                    }
                })
                .timeout(TIMEOUT)
                .onErrorResume(e -> {
                    unavailable.increment();
                    log.warn("Rate limiter unavailable, letting {} page(s) of key {} through: {}", pages, key.id(), e.toString());
                    return Mono.just(new Decision(true, key.burst(), key.burst(), Duration.ZERO, Duration.ZERO, Duration.ZERO));
                });
    }

    /**
     * How long the key must still wait for even one page, if a refusal in this instance says so; empty if it may
     * try (Redis decides then).
     */
    public Optional<Duration> knownEmpty(ApiKey key) {
        Long until = emptyUntil.getIfPresent(key.id());
        if (until == null) {
            return Optional.empty();
        }
        long left = until - System.nanoTime();
        if (left <= 0) {
            emptyUntil.invalidate(key.id());
            return Optional.empty();
        }
        return Optional.of(Duration.ofNanos(left));
    }

    private static Decision decision(ApiKey key, List<?> reply) {
        boolean allowed = ((Number) reply.get(0)).longValue() == 1;
        double tokens = Double.parseDouble(reply.get(1).toString());
        double wait = Double.parseDouble(reply.get(2).toString());
        double refill = (key.burst() - tokens) / key.ratePerSecond();
        double toOnePage = Math.max(0, 1 - tokens) / key.ratePerSecond();
        return new Decision(allowed, key.burst(), (long) Math.floor(tokens), Duration.ofMillis((long) Math.ceil(wait * 1000)),
                Duration.ofMillis((long) Math.ceil(refill * 1000)), Duration.ofNanos((long) Math.floor(toOnePage * 1e9)));
    }
}
