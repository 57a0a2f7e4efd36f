package dev.sluice.api.read.cache;

import dev.sluice.api.problem.ProblemException;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Every Redis call of the read path goes through here: bounded by {@code redis-timeout}, and behind a circuit
 * breaker, so that once Redis is down or slow reads stop paying the timeout and go straight to PostgreSQL, until
 * the breaker lets a few probes through again. A failed call is never an error for the reader: it completes empty
 * and is counted as a degraded read ({@code sluice.api.read.degraded{kind,reason}}, reason {@code timeout},
 * {@code error} or {@code breaker-open}).
 */
@Component
public class RedisGuard {

    private static final Logger log = LoggerFactory.getLogger(RedisGuard.class);

    private final CircuitBreaker breaker;
    private final Bulkhead withoutCache;
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
        BulkheadRegistry bulkheads = BulkheadRegistry.of(BulkheadConfig.custom()
                .maxConcurrentCalls(properties.degradedReads()).maxWaitDuration(Duration.ZERO).build());
        this.withoutCache = bulkheads.bulkhead("reads-without-cache");
        TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(meters);
    }

    /**
     * A database read standing in for a Redis call that failed (a degraded read). At most {@code degraded-reads}
     * run at once; past that the read is answered {@code 503} with {@code Retry-After} at once. An API instance
     * whose Redis is down or stalled can then never turn its whole read load onto PostgreSQL: measured here, that
     * saturated the instance, so that the breaker's probes timed out in turn and it never closed again.
     */
    public <T> Mono<T> withoutCache(String kind, Mono<T> databaseRead) {
        return databaseRead.transformDeferred(BulkheadOperator.of(withoutCache))
                .onErrorMap(BulkheadFullException.class, e -> ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, "read-overload", "Too many reads without the cache",
                                "The cache is unavailable and this instance is already reading " + properties.degradedReads()
                                        + " " + kind + "s from the database alone; retry shortly.")
                        .retryAfter(Duration.ofSeconds(1)));
    }

    /** The call's result, or empty when Redis failed, was too slow, or the breaker is open. */
    public <T> Mono<T> call(String kind, Mono<T> redisCall) {
        return redisCall
                .timeout(properties.redisTimeout())
                .transformDeferred(CircuitBreakerOperator.of(breaker))
                .onErrorResume(e -> {
                    degraded(kind, reason(e));
                    log.debug("Redis call for a {} read failed, PostgreSQL alone answers: {}", kind, e.toString());
                    return Mono.empty();
                });
    }

    public CircuitBreaker.State state() {
        return breaker.getState();
    }

    private static String reason(Throwable e) {
        if (e instanceof CallNotPermittedException) {
            return "breaker-open";
        }
        return e instanceof TimeoutException ? "timeout" : "error";
    }

    private void degraded(String kind, String reason) {
        degraded.computeIfAbsent(kind + '/' + reason, key -> Counter.builder("sluice.api.read.degraded").tag("kind", kind).tag("reason", reason)
                .description("Redis calls of reads that failed, timed out or were skipped by the open breaker").register(meters)).increment();
    }
}
