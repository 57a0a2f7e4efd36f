package dev.sluice.api.cache;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Every Redis call of the read path goes through here: bounded by {@code redis-timeout}, and behind a circuit
 * breaker, so that once Redis is down or slow reads stop paying the timeout and go straight to PostgreSQL, until
 * the breaker lets a few probes through again. A failed call is never an error for the reader: it completes empty
 * and is counted as a degraded read ({@code sluice.api.read.degraded{kind}}).
 */
@Component
public class RedisGuard {

    private static final Logger log = LoggerFactory.getLogger(RedisGuard.class);

    private final CircuitBreaker breaker;
    private final ReadProperties properties;
    private final MeterRegistry meters;
    private final Map<String, Counter> degraded = new ConcurrentHashMap<>();

    public RedisGuard(ReadProperties properties, MeterRegistry meters) {
        this.properties = properties;
        this.meters = meters;
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(properties.breaker().window())
                .minimumNumberOfCalls(properties.breaker().window())
                .failureRateThreshold(properties.breaker().failureRate())
                .waitDurationInOpenState(properties.breaker().openFor())
                .permittedNumberOfCallsInHalfOpenState(properties.breaker().probes())
                .build());
        this.breaker = registry.circuitBreaker("redis");
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
    }

    /** The call's result, or empty when Redis failed, was too slow, or the breaker is open. */
    public <T> Mono<T> call(String kind, Mono<T> redisCall) {
        return redisCall
                .timeout(properties.redisTimeout())
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorResume(e -> {
                    degraded(kind);
                    log.debug("Redis call for a {} read failed, PostgreSQL alone answers: {}", kind, e.toString());
                    return Mono.empty();
                });
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    private void degraded(String kind) {
        degraded.computeIfAbsent(kind, key -> Counter.builder("sluice.api.read.degraded").tag("kind", kind)
                .description("Redis calls of reads that failed, timed out or were skipped by the open breaker").register(meters)).increment();
    }
}
