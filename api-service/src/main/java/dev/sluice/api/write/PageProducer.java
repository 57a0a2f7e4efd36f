package dev.sluice.api.write;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.core.token.ConsistencyToken;
import dev.sluice.core.topic.Topics;
import dev.sluice.platform.tracing.TraceContexts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Sends validated pages to {@code pages.v1} and answers only when Kafka has every one of them: an idempotent
 * producer with {@code acks=all}, so an acknowledgement means the write is on every in-sync replica. If that does
 * not happen within {@link WriteProperties#ackTimeout()}, the request fails with 503 and its records are given up
 * ({@code delivery.timeout.ms} is the same bound): never a 202 that Kafka did not confirm.
 *
 * <p>{@code send()} can block (metadata, a full buffer), so it runs on a few sender threads, never on the HTTP
 * event loop.
 */
@Component
class PageProducer implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(PageProducer.class);

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final WriteProperties properties;
    private final Scheduler senders;
    private final Timer ackLatency;
    private final KafkaClientMetrics kafkaMetrics;
    private final int maxRecordBytes;
    private final TraceContexts traces;

    PageProducer(KafkaProperties kafka, WriteProperties properties, Topics topics, MeterRegistry meters, TraceContexts traces) {
        this.properties = properties;
        this.traces = traces;
        this.topic = topics.pages().name();
        this.maxRecordBytes = topics.pages().spec().maxMessageBytes();
        Map<String, Object> config = kafka.buildProducerProperties();
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        config.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, properties.compression());
        config.put(ProducerConfig.LINGER_MS_CONFIG, (int) properties.linger().toMillis());
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, (int) properties.batchSize().toBytes());
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, properties.bufferMemory().toBytes());
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes);
        long ackMillis = properties.ackTimeout().toMillis();
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ackMillis);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(1000, ackMillis - properties.linger().toMillis() - 1));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, ackMillis);
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "sluice-api");
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.kafkaMetrics = new KafkaClientMetrics(producer);
        this.kafkaMetrics.bindTo(meters);
        this.senders = Schedulers.newBoundedElastic(properties.senderThreads(), 100_000, "kafka-send", 60, true);
        this.ackLatency = Timer.builder("sluice.api.produce.latency")
                .description("From handing a request's pages to the producer to Kafka acknowledging all of them")
                .publishPercentileHistogram()
                .register(meters);
        // Fetch the topic's metadata now, so the first request does not wait for it.
        senders.schedule(() -> {
            try {
                producer.partitionsFor(topic);
            } catch (RuntimeException e) {
                log.warn("Kafka metadata for {} not available yet: {}", topic, e.toString());
            }
        });
    }

    /** The largest envelope this topic takes. */
    int maxRecordBytes() {
        return maxRecordBytes;
    }

    /**
     * Sends every page; completes with their positions once Kafka acknowledged all of them. A sampled request's
     * trace goes on in a span of the send, whose context every record carries in its headers.
     */
    Mono<ConsistencyToken> send(List<OutgoingPage> pages, TraceContext request) {
        return Mono.<ConsistencyToken>create(sink -> {
                    long started = System.nanoTime();
                    Span span = sendSpan(request, pages.size());
                    List<Header> headers = new ArrayList<>(1);
                    if (span != null) {
                        RecordHeaders carrier = new RecordHeaders();
                        traces.inject(span.context(), carrier);
                        carrier.forEach(headers::add);
                    }
                    Acknowledgements acks = new Acknowledgements(pages.size());
                    for (OutgoingPage page : pages) {
                        producer.send(new ProducerRecord<>(topic, null, page.id(), page.envelope(), headers), (metadata, error) -> {
                            if (error != null) {
                                if (acks.fail()) {
                                    end(span, error);
                                    sink.error(error);
                                }
                            } else if (acks.acknowledge(metadata.partition(), metadata.offset())) {
                                ackLatency.record(Duration.ofNanos(System.nanoTime() - started));
                                end(span, null);
                                sink.success(acks.token());
                            }
                        });
                    }
                })
                .subscribeOn(senders)
                .timeout(properties.ackTimeout())
                .onErrorMap(error -> !(error instanceof ProblemException), this::unavailable);
    }

    private Span sendSpan(TraceContext request, int records) {
        if (request == null || !Boolean.TRUE.equals(request.sampled())) {
            return null;
        }
        return traces.tracer().spanBuilder().setParent(request).name(topic + " send").kind(Span.Kind.PRODUCER)
                .tag("messaging.system", "kafka").tag("messaging.destination.name", topic)
                .tag("messaging.batch.message_count", records).start();
    }

    private static void end(Span span, Throwable error) {
        if (span != null) {
            if (error != null) {
                span.error(error);
            }
            span.end();
        }
    }

    private ProblemException unavailable(Throwable error) {
        if (error instanceof RecordTooLargeException) {
            return ProblemException.of(HttpStatus.CONTENT_TOO_LARGE, "page-too-large", "Page too large",
                    "A page is larger than the topic accepts once encoded (" + maxRecordBytes + " bytes).");
        }
        log.warn("Kafka did not acknowledge a write within {}: {}", properties.ackTimeout(), error.toString());
        return ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, "kafka-unavailable", "Kafka unavailable",
                        "Kafka did not acknowledge the write within " + properties.ackTimeout().toSeconds()
                                + " s; nothing was accepted. Retry later: a repeated write is harmless.")
                .retryAfter(properties.retryAfter());
    }

    @Override
    public void destroy() {
        producer.close(Duration.ofSeconds(10));
        kafkaMetrics.close();
        senders.dispose();
    }

    /** Counts acknowledgements of one request, keeping the highest offset per partition. */
    private static final class Acknowledgements {

        private final AtomicInteger pending;
        private final AtomicBoolean failed = new AtomicBoolean();
        private final Map<Integer, Long> offsets = new ConcurrentHashMap<>();

        Acknowledgements(int count) {
            this.pending = new AtomicInteger(count);
        }

        /** @return true when this was the last one */
        boolean acknowledge(int partition, long offset) {
            offsets.merge(partition, offset, Math::max);
            return pending.decrementAndGet() == 0 && !failed.get();
        }

        /** @return true for the first failure only */
        boolean fail() {
            return failed.compareAndSet(false, true);
        }

        ConsistencyToken token() {
            return ConsistencyToken.of(offsets);
        }
    }
}
