package dev.sluice.api.write;

import dev.sluice.api.problem.ProblemException;
import java.io.ByteArrayOutputStream;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.Violation;
import dev.sluice.core.page.Violation.Code;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads pages out of request bodies without holding a body whole as text or as one big tree: a JSON array is
 * split element by element ({@link JsonArraySplitter}), NDJSON line by line ({@link NdjsonSplitter}), and each
 * item is parsed on its own.
 * An item that cannot be read becomes an {@link IncomingPage#unreadable()} with its index, and the items after it
 * are still read, so one answer names every bad item.
 */
@Component
class PageReader {

    private final int maxItemBytes;

    PageReader(PageLimits limits) {
        // An item may hold the largest body plus metadata and the other fields, escaped.
        this.maxItemBytes = (int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes() * 2 + limits.maxMetadataBytes() + 64 * 1024);
    }

    /** One page: the whole body is the JSON object (its size is bounded by the request limit). */
    Mono<IncomingPage> one(Flux<byte[]> body) {
        return body.collect(ByteArrayOutputStream::new, (out, chunk) -> out.write(chunk, 0, chunk.length))
                .map(out -> {
                    if (out.size() == 0) {
                        throw malformed("The body is empty: send one page as a JSON object.");
                    }
                    byte[] posted = out.toByteArray();
                    try {
                        return IncomingPage.of(0, 0, Json.mapper().readTree(posted), posted);
                    } catch (JacksonException e) {
                        throw malformed("The body is not valid JSON: " + e.getOriginalMessage());
                    }
                });
    }

    /** A JSON array of pages, element by element: every malformed element is reported, not just the first. */
    Flux<IncomingPage> jsonArray(Flux<byte[]> body) {
        return Flux.defer(() -> {
            JsonArraySplitter splitter = new JsonArraySplitter(maxItemBytes);
            AtomicInteger index = new AtomicInteger();
            return body.concatMap(chunk -> Flux.fromIterable(splitter.feed(chunk)), 1)
                    .concatWith(Mono.fromRunnable(splitter::finish))
                    .map(element -> element(index.getAndIncrement(), 0, element))
                    .onErrorResume(JsonArraySplitter.ShapeException.class, e -> e.wholeBody
                            ? Flux.error(malformed(e.getMessage()))
                            : Flux.just(IncomingPage.unreadable(e.index, 0,
                                    new Violation(null, Code.MALFORMED, "the array is malformed here: " + e.getMessage()))));
        });
    }

    /** NDJSON: one page per line; blank lines are skipped but counted, so errors name the right line. */
    Flux<IncomingPage> ndjson(Flux<byte[]> body) {
        return Flux.defer(() -> {
            NdjsonSplitter splitter = new NdjsonSplitter(maxItemBytes);
            AtomicInteger index = new AtomicInteger();
            return body.concatMap(chunk -> Flux.fromIterable(splitter.feed(chunk)), 1)
                    .concatWith(Flux.defer(() -> Flux.fromIterable(splitter.finish())))
                    .filter(line -> line.bytes() == null || !isBlank(line.bytes()))
                    .map(line -> element(index.getAndIncrement(), line.number(), line.bytes()));
        });
    }

    private IncomingPage element(int index, int line, byte[] element) {
        String where = line > 0 ? "line " + line : "this item";
        if (element == null) {
            return IncomingPage.unreadable(index, line, new Violation(null, Code.TOO_LARGE, where + " is larger than " + maxItemBytes + " bytes"));
        }
        try {
            return IncomingPage.of(index, line, Json.mapper().readTree(element), element);
        } catch (JacksonException e) {
            return IncomingPage.unreadable(index, line, new Violation(null, Code.MALFORMED, where + " is not valid JSON: " + e.getOriginalMessage()));
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    static ProblemException malformed(String detail) {
        return ProblemException.of(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body", detail);
    }
}
