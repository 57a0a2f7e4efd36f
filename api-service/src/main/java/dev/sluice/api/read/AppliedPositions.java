package dev.sluice.api.read;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.token.ConsistencyToken;
import dev.sluice.core.topic.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * How far the workers have applied {@code pages.v1} to PostgreSQL, as they publish it to Redis after each commit.
 * A read with a consistency token waits here (on a timer, no thread blocked) until the token's positions are
 * covered.
 */
@Component
class AppliedPositions {

    private static final Duration POLL = Duration.ofMillis(20);

    private final ReactiveStringRedisTemplate redis;
    private final String key;

    AppliedPositions(ReactiveStringRedisTemplate redis, RedisKeys keys, Topics topics) {
        this.redis = redis;
        this.key = keys.appliedPositions(topics.pages().name());
    }

    /** The applied positions once they cover the token; empty if {@code wait} passes first. */
    Mono<Map<Integer, Long>> awaitCovered(ConsistencyToken token, Duration wait) {
        return Flux.interval(Duration.ZERO, POLL)
                .onBackpressureDrop() // a poll still waiting on Redis skips the next tick instead of failing the read
                .concatMap(tick -> current().onErrorResume(e -> Mono.just(Map.of())))
                .filter(token::isCoveredBy)
                .next()
                .timeout(wait, Mono.empty());
    }

    private Mono<Map<Integer, Long>> current() {
        return redis.<String, String>opsForHash().entries(key)
                .collect(HashMap::new, (positions, entry) -> positions.put(Integer.parseInt(entry.getKey()), Long.parseLong(entry.getValue())));
    }
}
