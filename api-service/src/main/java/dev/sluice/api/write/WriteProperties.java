package dev.sluice.api.write;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The write path ({@code sluice.api.write.*}): request limits, overload bounds and the Kafka producer.
 *
 * @param maxRequestSize largest request body, after gzip decoding (default 32MB)
 * @param maxPagesPerBatch most pages in one batch (default 1000)
 * @param maxInFlight request bytes held at once by this instance, from reading them to Kafka's acknowledgement;
 *     beyond it a request gets 503 (default 256MB)
 * @param ackTimeout how long a request waits for Kafka to acknowledge every page before it gets 503 (default 10s)
 * @param retryAfter the Retry-After of a 503 (default 5s)
 * @param compression producer compression: none, gzip, snappy, lz4 or zstd (default lz4)
 * @param linger how long the producer waits to fill a batch (default 5ms)
 * @param batchSize the producer's batch size per partition (default 256KB)
 * @param bufferMemory memory the producer may hold unsent (default 64MB)
 * @param senderThreads threads that hand records to the producer, off the event loop (default 4)
 */
@Validated
@ConfigurationProperties("sluice.api.write")
public record WriteProperties(
        @DefaultValue("32MB") DataSize maxRequestSize,
        @DefaultValue("1000") @Positive int maxPagesPerBatch,
        @DefaultValue("256MB") DataSize maxInFlight,
        @DefaultValue("10s") @DurationMin(millis = 1) Duration ackTimeout,
        @DefaultValue("5s") @DurationMin(millis = 1) Duration retryAfter,
        @DefaultValue("lz4") @Pattern(regexp = "none|gzip|snappy|lz4|zstd") String compression,
        @DefaultValue("5ms") @DurationMin(millis = 0) Duration linger,
        @DefaultValue("256KB") DataSize batchSize,
        @DefaultValue("64MB") DataSize bufferMemory,
        @DefaultValue("4") @Positive int senderThreads) {}
