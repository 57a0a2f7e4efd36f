package dev.sluice.bench.read;

import dev.sluice.bench.support.Measurement;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;
import java.util.stream.LongStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/** An HTTP load generator (wrk's model: keep-alive connections, each with one request in flight), on reactor-netty. */
final class HttpLoad implements AutoCloseable {

    /** One request: a GET of {@code path}, or a POST of {@code body} when it is not null. */
    record Request(String path, byte[] body, int expectedStatus) {
        String method() {
            return body == null ? "GET" : "POST";
        }

        static Request get(String path) {
            return new Request(path, null, 200);
        }
    }

    /** A request unanswered this long counts as a failure, instead of holding its connection forever. */
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(5);

    private final ConnectionProvider pool;
    private final AtomicLong failuresShown = new AtomicLong();
    private final HttpClient client;

    HttpLoad(int port, int connections, String apiKey) {
        this.pool = ConnectionProvider.builder("read-bench").maxConnections(connections).pendingAcquireMaxCount(-1).build();
        this.client = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port).responseTimeout(RESPONSE_TIMEOUT).headers(headers -> {
            if (apiKey != null) {
                headers.set("Authorization", "Bearer " + apiKey);
                headers.set("Content-Type", "application/json");
            }
        });
    }

    /** Closed loop: {@code connections} requests in flight for {@code duration}, each sent as the previous answers. */
    void closedLoop(int connections, Duration duration, LongFunction<Request> requests, Measurement measurement) {
        long end = System.nanoTime() + duration.toNanos();
        AtomicLong next = new AtomicLong();
        Flux.range(0, connections)
                .flatMap(worker -> Mono.defer(() -> send(requests.apply(next.getAndIncrement()), System.nanoTime(), measurement))
                        .repeat(() -> System.nanoTime() < end), connections)
                .blockLast();
    }

    /**
     * Open loop at a fixed rate: request n is due at start + n / rate, and its latency counts from then, not from
     * when it could be sent (no coordinated omission: a stall shows up in every request it delays). The run ends
     * at {@code duration} plus {@link #RESPONSE_TIMEOUT}: requests due but unanswered by then are failures, so a
     * server that cannot keep up shows as failures and latency, never as a run that does not end.
     */
    void fixedRate(int perSecond, Duration duration, LongFunction<Request> requests, Measurement measurement) {
        long start = System.nanoTime();
        long nanosPerRequest = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long due = duration.toNanos() / nanosPerRequest;
        AtomicLong issued = new AtomicLong();
        AtomicLong answered = new AtomicLong();
        Flux.interval(Duration.ofMillis(1), Schedulers.parallel())
                .onBackpressureDrop() // a late tick is harmless: the next one issues whatever fell due
                .takeWhile(tick -> issued.get() < due)
                .concatMapIterable(tick -> {
                    long dueNow = Math.min(due, (System.nanoTime() - start) / nanosPerRequest);
                    return LongStream.range(issued.getAndSet(dueNow), dueNow).boxed().toList();
                })
                .flatMap(n -> send(requests.apply(n), start + n * nanosPerRequest, measurement).doOnSuccess(status -> answered.incrementAndGet()),
                        Integer.MAX_VALUE)
                .take(duration.plus(RESPONSE_TIMEOUT))
                .blockLast();
        for (long unanswered = due - answered.get(); unanswered > 0; unanswered--) {
            measurement.failure();
        }
    }

    private Mono<Integer> send(Request request, long dueNanos, Measurement measurement) {
        var call = request.body() == null ? client.get().uri(request.path())
                : client.post().uri(request.path()).send(Mono.fromSupplier(() -> Unpooled.wrappedBuffer(request.body())));
        return call.responseSingle((response, content) -> content.asByteArray().defaultIfEmpty(new byte[0])
                        .map(bytes -> {
                            if (response.status().code() == request.expectedStatus()) {
                                measurement.success(1, bytes.length, System.nanoTime() - dueNanos);
                            } else {
                                measurement.failure();
                            }
                            return response.status().code();
                        }))
                .onErrorResume(e -> {
                    if (failuresShown.getAndIncrement() < 5) {
                        System.err.println("request failed: " + request.method() + " " + request.path() + ": " + e);
                    }
                    measurement.failure();
                    return Mono.empty();
                });
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
