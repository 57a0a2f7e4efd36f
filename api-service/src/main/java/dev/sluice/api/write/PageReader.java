package dev.sluice.api.write;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.Violation;
import dev.sluice.core.page.Violation.Code;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.ResolvableType;
import org.springframework.core.codec.StringDecoder;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads pages out of request bodies without holding a body whole as text or as one big tree: a JSON array is
 * split element by element ({@link JsonArraySplitter}), NDJSON line by line, and each item is parsed on its own.
 * An item that cannot be read becomes an {@link IncomingPage#unreadable()} with its index, and the items after it
 * are still read, so one answer names every bad item.
 */
@Component
class PageReader {

    private final StringDecoder lineDecoder;
    private final int maxItemBytes;

    PageReader(PageLimits limits) {
        // An item may hold the largest body plus metadata and the other fields, escaped.
        this.maxItemBytes = (int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes() * 2 + limits.maxMetadataBytes() + 64 * 1024);
        this.lineDecoder = StringDecoder.textPlainOnly(List.of("\n"), true);
        this.lineDecoder.setMaxInMemorySize(maxItemBytes);
    }

    /** One page: the whole body is the JSON object. */
    Mono<JsonNode> one(Flux<DataBuffer> body) {
        return DataBufferUtils.join(body)
                .switchIfEmpty(Mono.error(() -> malformed("The body is empty: send one page as a JSON object.")))
                .map(buffer -> {
                    byte[] bytes = new byte[buffer.readableByteCount()];
                    buffer.read(bytes);
                    DataBufferUtils.release(buffer);
                    try {
                        return Json.mapper().readTree(bytes);
                    } catch (JacksonException e) {
                        throw malformed("The body is not valid JSON: " + e.getOriginalMessage());
                    }
                });
    }

    /** A JSON array of pages, element by element: every malformed element is reported, not just the first. */
    Flux<IncomingPage> jsonArray(Flux<DataBuffer> body) {
        return Flux.defer(() -> {
            JsonArraySplitter splitter = new JsonArraySplitter(maxItemBytes);
            AtomicInteger index = new AtomicInteger();
            return body.concatMapIterable(buffer -> splitter.feed(bytesOf(buffer)))
                    .concatWith(Mono.fromRunnable(splitter::finish))
                    .map(element -> element(index.getAndIncrement(), element))
                    .onErrorResume(JsonArraySplitter.ShapeException.class, e -> e.wholeBody
                            ? Flux.error(malformed(e.getMessage()))
                            : Flux.just(IncomingPage.unreadable(e.index, 0,
                                    new Violation(null, Code.MALFORMED, "the array is malformed here: " + e.getMessage()))));
        });
    }

    private IncomingPage element(int index, byte[] element) {
        if (element == null) {
            return IncomingPage.unreadable(index, 0, new Violation(null, Code.TOO_LARGE, "this item is larger than " + maxItemBytes + " bytes"));
        }
        try {
            return IncomingPage.of(index, 0, Json.mapper().readTree(element));
        } catch (JacksonException e) {
            return IncomingPage.unreadable(index, 0, new Violation(null, Code.MALFORMED, "this item is not valid JSON: " + e.getOriginalMessage()));
        }
    }

    private static byte[] bytesOf(DataBuffer buffer) {
        byte[] bytes = new byte[buffer.readableByteCount()];
        buffer.read(bytes);
        DataBufferUtils.release(buffer);
        return bytes;
    }

    /** NDJSON: one page per line; blank lines are skipped. */
    Flux<IncomingPage> ndjson(Flux<DataBuffer> body) {
        AtomicInteger index = new AtomicInteger();
        AtomicInteger line = new AtomicInteger();
        return lineDecoder.decode(body, ResolvableType.forClass(String.class), MediaType.TEXT_PLAIN, Map.of())
                .concatMap(text -> {
                    int lineNumber = line.incrementAndGet();
                    if (text.isBlank()) {
                        return Mono.empty();
                    }
                    int position = index.getAndIncrement();
                    try {
                        return Mono.just(IncomingPage.of(position, lineNumber, Json.mapper().readTree(text)));
                    } catch (JacksonException e) {
                        return Mono.just(IncomingPage.unreadable(position, lineNumber,
                                new Violation(null, Code.MALFORMED, "line " + lineNumber + " is not valid JSON: " + e.getOriginalMessage())));
                    }
                })
                .onErrorResume(e -> !(e instanceof ProblemException), e -> Flux.just(
                        IncomingPage.unreadable(index.get(), line.get() + 1, unreadable(e))));
    }

    private Violation unreadable(Throwable error) {
        if (error instanceof DataBufferLimitException) {
            return new Violation(null, Code.TOO_LARGE, "this item is larger than " + maxItemBytes + " bytes");
        }
        return new Violation(null, Code.MALFORMED, "this item cannot be read: " + error.getMessage());
    }

    static ProblemException malformed(String detail) {
        return ProblemException.of(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body", detail);
    }
}
