package dev.sluice.bench.pipeline;

import dev.sluice.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

/**
 * How soon an acknowledged write can be read back: from the API's {@code 202} until a plain {@code GET
 * /v1/pages/{id}} (no consistency token: the cache path a reader takes) shows it (its {@code fetched_at} or a later
 * one), polling every 25 ms. At most {@code perSecond} writes are probed a second (the probes' reads are load
 * too: the API's CPU per page includes them) and {@link #MAX_IN_FLIGHT} at once; a write not visible within 30 s
 * counts as never.
 */
final class VisibilityProbe {

    static final int MAX_IN_FLIGHT = 200;
    private static final Duration POLL = Duration.ofMillis(25);
    private static final Duration GIVE_UP = Duration.ofSeconds(30);

    private final HttpClient http;
    private final String key;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Histogram visible = new ConcurrentHistogram(3);
    final AtomicLong neverVisible = new AtomicLong();
    final AtomicLong skipped = new AtomicLong();

    private final long intervalNanos;
    private final AtomicLong lastProbe = new AtomicLong();

    VisibilityProbe(HttpClient http, String key, int perSecond) {
        this.http = http;
        this.key = key;
        this.intervalNanos = 1_000_000_000L / perSecond;
    }

    void probe(CrawlerLoad.Acknowledged write) {
        long last = lastProbe.get();
        if (write.acknowledgedNanos() - last < intervalNanos || !lastProbe.compareAndSet(last, write.acknowledgedNanos())) {
            return;
        }
        if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
            inFlight.decrementAndGet();
            skipped.incrementAndGet();
            return;
        }
        Histogram into = visible;
        poll(write).subscribe(seen -> {
            inFlight.decrementAndGet();
            if (seen) {
                into.recordValue(Math.max(1, (System.nanoTime() - write.acknowledgedNanos()) / 1000));
            } else {
                neverVisible.incrementAndGet();
            }
        });
    }

    private Mono<Boolean> poll(CrawlerLoad.Acknowledged write) {
        long deadline = write.acknowledgedNanos() + GIVE_UP.toNanos();
        return read(write.id())
                .map(fetchedAt -> fetchedAt != null && !fetchedAt.isBefore(write.fetchedAt()))
                .flatMap(seen -> seen || System.nanoTime() > deadline ? Mono.just(seen)
                        : Mono.delay(POLL).then(Mono.defer(() -> poll(write))));
    }

    /** The {@code fetched_at} a plain read answers, or null (404, or an error). */
    private Mono<Instant> read(String id) {
        return http.headers(h -> h.set("Authorization", "Bearer " + key))
                .get().uri("/v1/pages/" + id)
                .responseSingle((response, content) -> response.status().code() == 200
                        ? content.asString().map(body -> {
                            JsonNode page = Json.mapper().readTree(body);
                            return page.path("fetched_at").isString() ? Instant.parse(page.path("fetched_at").asString()) : Instant.EPOCH;
                        })
                        : content.then(Mono.just(Instant.EPOCH)))
                .onErrorResume(e -> Mono.just(Instant.EPOCH));
    }

    /** The probes recorded since the last call, and a fresh histogram for the next ones. */
    Histogram takeVisible() {
        Histogram taken = visible;
        visible = new ConcurrentHistogram(3);
        return taken;
    }

    boolean idle() {
        return inFlight.get() == 0;
    }
}
