package dev.sluice.ingest.consume;

import dev.sluice.store.apply.BodyStorage;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The ingest consumer ({@code sluice.ingest.*}).
 *
 * @param enabled whether this process consumes pages.v1 at all (default true)
 * @param groupId the consumer group; every worker of one deployment shares it (default ingest)
 * @param concurrency consumers in this process, each with its own partitions and database connection (default 2:
 *     one consumer alternates between its own work and waiting on PostgreSQL, leaving each idle about 40% of the
 *     time; two overlap them, measured 1.6x the rows/s of one on 2 cores)
 * @param maxBatch most records per batch, one transaction each (default 1000; 5,000 measured no faster)
 * @param retryInitialInterval first pause before retrying a batch that failed for a transient reason (default 200ms)
 * @param retryMaxInterval longest pause between retries; retries never stop (default 10s)
 * @param sessionTimeout how long a worker that stopped answering (crashed, killed, partitioned) keeps its partitions
 *     before the group hands them to the others (default 10s; Kafka's own default, 45s, stalls those partitions
 *     that long after every crash; at least the broker's group.min.session.timeout.ms, 6s by default)
 * @param bodyStorage how page bodies are stored (default zstd: compressed by the worker into {@code body_zstd}, which
 *     halves PostgreSQL's CPU per row and stores less than its own compression; {@code text}: as text in {@code body},
 *     compressed by PostgreSQL, for those who read bodies with SQL). Readers take either; workers may differ.
 */
@Validated
@ConfigurationProperties("sluice.ingest")
public record IngestProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("ingest") @NotBlank String groupId,
        @DefaultValue("2") @Positive int concurrency,
        @DefaultValue("1000") @Positive int maxBatch,
        @DefaultValue("200ms") @DurationMin(millis = 1) Duration retryInitialInterval,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration retryMaxInterval,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration sessionTimeout,
        @DefaultValue("zstd") @NotNull BodyStorage bodyStorage) {}
