package dev.sluice.bench.pipeline;

import dev.sluice.bench.support.RealisticPages;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageUrl;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a crawler fleet sends: NDJSON batches at a fixed rate of pages, each page new (40 %), a re-crawl whose
 * content changed (30 %) or did not (25 %), and deletes (5 %, one request each, as a crawler sends a 404 or 410 it
 * met). Every write is fetched 1 ms after the previous one, so each moves its page. One upsert of each acknowledged
 * batch (of a page deletes never take) is offered to the visibility probe.
 */
final class CrawlerLoad {

    /** A write the API acknowledged, to be seen by a plain read. */
    record Acknowledged(String id, Instant fetchedAt, long acknowledgedNanos) {}

    private final RealisticPages pages = new RealisticPages();
    private final HttpClient http;
    private final String key;
    private final int bodySize;
    private final int batch;
    private final int[] revisions;
    private final AtomicLong newPages = new AtomicLong();
    private final AtomicLong fetch = new AtomicLong(Instant.now().minus(Duration.ofDays(1)).toEpochMilli());
    final AtomicLong accepted = new AtomicLong();
    final Map<String, AtomicLong> failures = new ConcurrentSkipListMap<>();

    CrawlerLoad(HttpClient http, String key, int bodySize, int batch, int maxPages) {
        this.http = http;
        this.key = key;
        this.bodySize = bodySize;
        this.batch = batch;
        this.revisions = new int[maxPages];
    }

    /** Sends {@code rate} pages per second until disposed. */
    Disposable start(int rate, Consumer<Acknowledged> probe) {
        return Flux.interval(Duration.ofNanos(1_000_000_000L * batch / rate))
                .onBackpressureDrop()
                .flatMap(tick -> sendBatch(probe), 64)
                .subscribe();
    }

    private Mono<Void> sendBatch(Consumer<Acknowledged> probe) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder body = new StringBuilder(batch * (bodySize + 400));
        String sampled = null;
        Instant sampledAt = null;
        int deletes = 0;
        int upserts = 0;
        for (int i = 0; i < batch; i++) {
            int roll = random.nextInt(100);
            long known = newPages.get();
            if (roll < 5 && known > 0) {
                deletes++;
                continue;
            }
            long n;
            if (roll < 45 || known == 0) {
                n = newPages.getAndIncrement() % revisions.length;
            } else {
                n = random.nextLong(Math.min(known, revisions.length));
                if (roll < 75) {
                    revisions[(int) n]++; // a re-crawl that found the page changed
                }
            }
            Instant fetchedAt = Instant.ofEpochMilli(fetch.incrementAndGet());
            body.append(page(n, revisions[(int) n], fetchedAt)).append('\n');
            upserts++;
            if (sampled == null && n % 2 == 0) { // probed pages are never deleted (deletes take odd ones)
                sampled = id(n);
                sampledAt = fetchedAt;
            }
        }
        String probeId = sampled;
        Instant probeAt = sampledAt;
        int count = upserts;
        Mono<Void> posted = post("/v1/pages/batch", body.toString(), count)
                .doOnNext(ok -> {
                    if (ok && probeId != null) {
                        probe.accept(new Acknowledged(probeId, probeAt, System.nanoTime()));
                    }
                })
                .then();
        Flux<Boolean> deleted = Flux.range(0, deletes).flatMap(d -> delete(id(random.nextLong(Math.min(newPages.get(), revisions.length)) | 1)));
        return Mono.when(posted, deleted.then());
    }

    private Mono<Boolean> post(String path, String ndjson, int count) {
        return http.headers(h -> h.set("Authorization", "Bearer " + key).set("Content-Type", "application/x-ndjson"))
                .post().uri(path)
                .send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(ndjson.getBytes(StandardCharsets.UTF_8))))
                .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
                .map(status -> counted(status, count))
                .onErrorResume(e -> Mono.just(failed(e)));
    }

    private Mono<Boolean> delete(String id) {
        return http.headers(h -> h.set("Authorization", "Bearer " + key))
                .delete().uri("/v1/pages/" + id)
                .responseSingle((response, content) -> content.then(Mono.just(response.status().code())))
                .map(status -> counted(status, 1))
                .onErrorResume(e -> Mono.just(failed(e)));
    }

    private boolean counted(int status, int records) {
        if (status == 202) {
            accepted.addAndGet(records);
            return true;
        }
        failures.computeIfAbsent("HTTP " + status, k -> new AtomicLong()).incrementAndGet();
        return false;
    }

    private boolean failed(Throwable error) {
        failures.computeIfAbsent(error.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
        return false;
    }

    /** Page {@code n} at {@code revision}: its content changes with the revision, its URL does not. */
    private String page(long n, int revision, Instant fetchedAt) {
        RealisticPages.Fields fields = pages.fields(n, bodySize);
        ObjectNode page = Json.mapper().createObjectNode();
        page.put("url", fields.url());
        page.put("fetched_at", fetchedAt.toString());
        page.put("status", 200);
        page.put("title", revision == 0 ? fields.title() : fields.title() + " (revision " + revision + ")");
        page.put("content_type", "text/html");
        page.put("body", revision == 0 ? fields.body() : pages.fields(n + 7L * revision, bodySize).body());
        page.putObject("metadata").put("crawler", fields.crawler());
        return Json.mapper().writeValueAsString(page);
    }

    String id(long n) {
        return PageUrl.parse(pages.fields(n, bodySize).url()).id();
    }
}
