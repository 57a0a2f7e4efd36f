package dev.sluice.api.write;

import dev.sluice.api.edge.EdgeProperties;
import dev.sluice.api.edge.UnreadBodies;
import dev.sluice.api.problem.ProblemException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeoutException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A request's body as the write path consumes it: chunks of heap bytes, decoded ({@code Content-Encoding: gzip}
 * or none), counted against the request limit (413) and against the instance's in-flight budget (503), as they
 * stream in. With gzip both the compressed and the decoded bytes count, so neither a bomb nor a stream that never
 * ends its header can hold more than the limit. A client that pauses longer than {@code body-read-timeout}
 * between two pieces of its body, or takes longer than {@code body-timeout} for all of it, gets a 408. Each
 * network buffer is copied out and released at once, so nothing downstream holds pooled Netty memory and every
 * later stage works on plain byte arrays.
 */
@Component
class RequestBodies {

    private final long maxRequestBytes;
    private final WriteProperties properties;
    private final EdgeProperties edge;

    RequestBodies(WriteProperties properties, EdgeProperties edge) {
        this.properties = properties;
        this.edge = edge;
        this.maxRequestBytes = properties.maxRequestSize().toBytes();
    }

    Flux<byte[]> read(ServerWebExchange exchange, InFlightBytes.Reservation reservation) {
        ServerHttpRequest request = exchange.getRequest();
        boolean gzip = isGzip(request.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING));
        long declared = request.getHeaders().getContentLength();
        if (declared > maxRequestBytes) {
            return Flux.error(tooLarge());
        }
        Flux<byte[]> raw = counted(timed(request.getBody().map(RequestBodies::copyAndRelease))
                .doOnComplete(() -> UnreadBodies.markRead(exchange)), reservation);
        return gzip ? counted(gunzip(raw), reservation) : raw;
    }

    /** Each chunk counted against the request's limit and the instance's budget, as it passes. */
    private Flux<byte[]> counted(Flux<byte[]> chunks, InFlightBytes.Reservation reservation) {
        return Flux.defer(() -> {
            long[] total = {0};
            return chunks.handle((chunk, sink) -> {
                total[0] += chunk.length;
                if (total[0] > maxRequestBytes) {
                    sink.error(tooLarge());
                } else if (!reservation.add(chunk.length)) {
                    sink.error(ProblemException.of(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "Overloaded",
                                    "This instance holds as many in-flight writes as it may; retry shortly.")
                            .retryAfter(properties.retryAfter()));
                } else {
                    sink.next(chunk);
                }
            });
        });
    }

    /** A 408 when the client pauses too long between two pieces, or takes too long for all of it. */
    private Flux<byte[]> timed(Flux<byte[]> body) {
        return Flux.defer(() -> {
            long deadline = System.nanoTime() + edge.bodyTimeout().toNanos();
            return body.timeout(Mono.delay(untilNextPiece(deadline)), chunk -> Mono.delay(untilNextPiece(deadline)))
                    .onErrorMap(TimeoutException.class, e -> ProblemException.of(HttpStatus.REQUEST_TIMEOUT, "request-timeout",
                            "Request body too slow", System.nanoTime() - deadline >= 0
                                    ? "The request body was not received within " + edge.bodyTimeout().toSeconds() + " s."
                                    : "The request body paused for more than " + edge.bodyReadTimeout().toMillis() + " ms."));
        });
    }

    private Duration untilNextPiece(long deadline) {
        long left = Math.max(0, deadline - System.nanoTime());
        return Duration.ofNanos(Math.min(left, edge.bodyReadTimeout().toNanos()));
    }

    private static byte[] copyAndRelease(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        } finally {
            DataBufferUtils.release(buffer);
        }
    }

    /**
     * Decodes gzip as the consumer pulls: each compressed chunk is inflated 64 KB at a time, only on demand, so
     * the size limit below stops a bomb before it is inflated.
     */
    static Flux<byte[]> gunzip(Flux<byte[]> compressed) {
        return Flux.using(GzipStream::new, gzip -> compressed
                        .concatMap(bytes -> {
                            gzip.input(bytes);
                            return Flux.<byte[]>generate(sink -> {
                                byte[] chunk = gzip.next();
                                if (chunk == null) {
                                    sink.complete();
                                } else {
                                    sink.next(chunk);
                                }
                            });
                        }, 1)
                        .concatWith(Mono.fromRunnable(gzip::finish))
                        .onErrorMap(GzipStream.FormatException.class, e -> ProblemException.of(HttpStatus.BAD_REQUEST,
                                "invalid-encoding", "Invalid request encoding",
                                "The body is declared Content-Encoding: gzip, but " + e.getMessage() + ".")),
                GzipStream::close);
    }

    private static boolean isGzip(String encoding) {
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return false;
        }
        String normalized = encoding.strip().toLowerCase(Locale.ROOT);
        if (normalized.equals("gzip") || normalized.equals("x-gzip")) {
            return true;
        }
        throw ProblemException.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-encoding", "Unsupported content encoding",
                        "Content-Encoding '" + encoding + "' is not supported; send the body as is or with gzip.")
                .header("Accept-Encoding", "gzip");
    }

    private ProblemException tooLarge() {
        return ProblemException.of(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", "Request too large",
                        "The request body is larger than " + properties.maxRequestSize().toMegabytes()
                                + " MB (as sent, or once decoded); split the batch.")
                .with("limit_bytes", maxRequestBytes);
    }
}
