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
        static Request get(String path) {
            return new Request(path, null, 200);
        }
    }

    private final ConnectionProvider pool;
    private final HttpClient client;

    HttpLoad(int port, int connections, String apiKey) {
        this.pool = ConnectionProvider.builder("read-bench").maxConnections(connections).pendingAcquireMaxCount(-1).build();
        this.client = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port).headers(headers -> {
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
     * when it could be sent (no coordinated omission: a stall shows up in every request it delays).
     */
    void fixedRate(int perSecond, Duration duration, LongFunction<Request> requests, Measurement measurement) {
        long start = System.nanoTime();
        long nanosPerRequest = TimeUnit.SECONDS.toNanos(1) / perSecond;
        AtomicLong issued = new AtomicLong();
        Flux.interval(Duration.ofMillis(1), Schedulers.parallel())
                .onBackpressureDrop() // a late tick is harmless: the next one issues whatever fell due
                .takeWhile(tick -> System.nanoTime() - start < duration.toNanos())
                .concatMapIterable(tick -> {
                    long due = (System.nanoTime() - start) / nanosPerRequest;
                    return LongStream.range(issued.getAndSet(due), due).boxed().toList();
                })
                .flatMap(n -> send(requests.apply(n), start + n * nanosPerRequest, measurement), 4096)
                .blockLast();
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
                    measurement.failure();
                    return Mono.empty();
                });
    }

    @Override
    public void close() {
        pool.dispose();
    }
}
