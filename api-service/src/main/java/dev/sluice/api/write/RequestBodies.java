package dev.sluice.api.write;

import dev.sluice.api.problem.ProblemException;
import java.util.Locale;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A request's body as the write path consumes it: chunks of heap bytes, decoded ({@code Content-Encoding: gzip}
 * or none), counted against the request limit (413) and against the instance's in-flight budget (503), as they
 * stream in. Each network buffer is copied out and released at once, so nothing downstream holds pooled Netty
 * memory and every later stage works on plain byte arrays.
 */
@Component
class RequestBodies {

    private final long maxRequestBytes;
    private final WriteProperties properties;

    RequestBodies(WriteProperties properties) {
        this.properties = properties;
        this.maxRequestBytes = properties.maxRequestSize().toBytes();
    }

    Flux<byte[]> read(ServerHttpRequest request, InFlightBytes.Reservation reservation) {
        boolean gzip = isGzip(request.getHeaders().getFirst(HttpHeaders.CONTENT_ENCODING));
        long declared = request.getHeaders().getContentLength();
        if (!gzip && declared > maxRequestBytes) {
            return Flux.error(tooLarge());
        }
        Flux<byte[]> raw = request.getBody().map(RequestBodies::copyAndRelease);
        Flux<byte[]> body = gzip ? gunzip(raw) : raw;
        long[] total = {0};
        return body.handle((chunk, sink) -> {
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
                                + " MB (decoded); split the batch.")
                .with("limit_bytes", maxRequestBytes);
    }
}
