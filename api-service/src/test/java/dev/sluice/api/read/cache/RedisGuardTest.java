package dev.sluice.api.read.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.sluice.api.problem.ProblemException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

class RedisGuardTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RedisGuard guard = new RedisGuard(new ReadProperties(Duration.ofHours(1), Duration.ofMinutes(10), Duration.ofSeconds(60),
            Duration.ofMillis(50), Duration.ofSeconds(5), Duration.ofMillis(300), 2, Duration.ofSeconds(10), new ReadProperties.Breaker(4, 50, Duration.ofHours(1), 1)), meters);

    @Test
    void readsWithoutTheCacheBeyondTheBoundAreRefusedAtOnceWithRetryAfter() {
        Sinks.One<String> first = Sinks.one();
        Sinks.One<String> second = Sinks.one();
        Disposable running = Mono.zip(guard.withoutCache("page", first.asMono()), guard.withoutCache("page", second.asMono())).subscribe();

        ProblemException refused = catchThrowableOfType(ProblemException.class, () -> guard.withoutCache("page", Mono.just("third")).block(BOUND));
        assertThat(refused.status().value()).isEqualTo(503);
        assertThat(refused.type().toString()).endsWith("read-overload");
        assertThat(refused.headers().getFirst("Retry-After")).isEqualTo("1");

        first.tryEmitValue("first");
        second.tryEmitValue("second");
        assertThat(running.isDisposed()).as("both admitted reads completed").isTrue();
        assertThat(guard.withoutCache("page", Mono.just("after")).block(BOUND)).as("a finished read frees its place").isEqualTo("after");
    }

    @Test
    void failedRedisCallsAreCountedByReasonAndOpenTheBreaker() {
        for (int i = 0; i < 4; i++) {
            assertThat(guard.call("page", Mono.<String>error(new TimeoutException("slow"))).block(BOUND)).isNull();
        }
        assertThat(guard.call("page", Mono.just("never asked")).block(BOUND)).as("skipped: the breaker is open").isNull();

        assertThat(guard.state().name()).isEqualTo("OPEN");
        assertThat(meters.get("sluice.api.read.degraded").tag("reason", "timeout").counter().count()).isEqualTo(4);
        assertThat(meters.get("sluice.api.read.degraded").tag("reason", "breaker-open").counter().count()).isEqualTo(1);
    }
}
