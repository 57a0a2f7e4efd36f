package dev.sluice.ingest.consume;

import dev.sluice.core.cache.RedisKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Publishes, after each commit, how far each partition of {@code pages.v1} is applied to PostgreSQL: a Redis hash
 * partition → next offset that the API compares consistency tokens with (read-your-writes). Values only grow, even
 * if a worker that lost its partitions publishes late. Best effort: if Redis is away, a reader with a token waits
 * longer, nothing is lost.
 */
@Component
class AppliedPositions {

    private static final Logger log = LoggerFactory.getLogger(AppliedPositions.class);

    /** KEYS[1] the hash; ARGV pairs partition, next offset: set each only if greater. */
    private static final RedisScript<Long> RAISE = RedisScript.of("""
            for i = 1, #ARGV, 2 do
              local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '-1')
              if tonumber(ARGV[i + 1]) > current then
                redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
              end
            end
            return 1
            """, Long.class);

    private final StringRedisTemplate redis;
    private final RedisKeys keys;
    private final Counter failures;

    AppliedPositions(StringRedisTemplate redis, RedisKeys keys, MeterRegistry meters) {
        this.redis = redis;
        this.keys = keys;
        this.failures = Counter.builder("sluice.ingest.applied.publish.failures")
                .description("Applied positions that could not be published to Redis").register(meters);
    }

    void publish(String topic, Map<Integer, Long> nextOffsets) {
        List<String> args = new ArrayList<>(nextOffsets.size() * 2);
        nextOffsets.forEach((partition, offset) -> {
            args.add(partition.toString());
            args.add(offset.toString());
        });
        try {
            redis.execute(RAISE, List.of(keys.appliedPositions(topic)), args.toArray());
        } catch (RuntimeException e) {
            failures.increment();
            log.warn("Could not publish applied positions to Redis: {}", e.toString());
        }
    }
}
