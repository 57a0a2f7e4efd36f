package dev.sluice.api.read.database;

import dev.sluice.api.problem.ProblemException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Bounds every read of PostgreSQL: past {@code query-timeout}, or on a database error, the read fails with a
 * {@code 503} problem (retry shortly) instead of holding the request, and every reader sharing its load, forever.
 */
@Component
public class DatabaseReads {

    private final Duration timeout;

    DatabaseReads(DatabaseProperties properties) {
        this.timeout = properties.queryTimeout();
    }

    public <T> Mono<T> bounded(Mono<T> read) {
        return read.timeout(timeout).onErrorMap(e -> !(e instanceof ProblemException), e -> ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE,
                        "database-unavailable", "Database unavailable", e instanceof TimeoutException
                                ? "PostgreSQL did not answer within " + timeout.toMillis() + " ms; retry shortly."
                                : "PostgreSQL could not answer (" + e.getClass().getSimpleName() + "); retry shortly.")
                .retryAfter(Duration.ofSeconds(1)));
    }
}
