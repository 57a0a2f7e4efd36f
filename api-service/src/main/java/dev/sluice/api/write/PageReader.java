package dev.sluice.api.write;

import dev.sluice.api.problem.ProblemException;
import java.io.ByteArrayOutputStream;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.Violation;
import dev.sluice.core.page.Violation.Code;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads pages out of request bodies without holding a body whole as text or as one big tree: a JSON array is
 * split element by element ({@link JsonArraySplitter}), NDJSON line by line ({@link NdjsonSplitter}), and each
 * item is parsed on its own.
 * An item that cannot be read becomes an {@link IncomingPage#unreadable()} with its index, and the items after it
 * are still read, so one answer names every bad item.
 *
 * <p>Each item is parsed under limits a page can never exceed (Jackson's {@link StreamReadConstraints}): its length,
 * its nesting, its number of tokens (a page has seven fields; only metadata, at most {@code max-metadata-size}
 * bytes, has more), and the length of names, numbers and strings. A tree costs several times its text in memory,
 * so without them one item of 300,000 empty fields, well within the request size, would cost the API hundreds of
 * megabytes before a single rule was checked.
 */
@Component
class PageReader {

    /** Deeper than any metadata a crawler records; each level costs the tree a frame. */
    static final int MAX_NESTING = 64;

    private final int maxItemBytes;
    private final JsonMapper posted;

    PageReader(PageLimits limits) {
        // An item may hold the largest body plus metadata and the other fields, escaped.
        this.maxItemBytes = (int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes() * 2 + limits.maxMetadataBytes() + 64 * 1024);
        // Metadata of n bytes has at most about n/2 tokens ({"a":0} is 7 bytes, 4 tokens); the page's own fields fewer than 64.
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxDocumentLength(maxItemBytes)
                .maxNestingDepth(MAX_NESTING)
                .maxTokenCount(limits.maxMetadataBytes() / 2 + 64)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE - 1, limits.maxBodyBytes()) + 1)
                .maxNameLength(1024)
                .maxNumberLength(64)
                .build();
        this.posted = JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    /** One page: the whole body is the JSON object (its size is bounded by the request limit). */
    Mono<IncomingPage> one(Flux<byte[]> body) {
        return body.collect(ByteArrayOutputStream::new, (out, chunk) -> out.write(chunk, 0, chunk.length))
                .map(out -> {
                    if (out.size() == 0) {
                        throw malformed("The body is empty: send one page as a JSON object.");
                    }
                    byte[] posted = withoutByteOrderMark(out.toByteArray());
                    if (!looksUtf8(posted)) {
                        throw malformed("The body " + NOT_UTF8);
                    }
                    try {
                        return IncomingPage.of(0, 0, this.posted.readTree(posted), posted);
                    } catch (JacksonException e) {
                        throw malformed("The body " + why(e));
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
        byte[] item = withoutByteOrderMark(element);
        if (!looksUtf8(item)) {
            return IncomingPage.unreadable(index, line, new Violation(null, Code.MALFORMED, where + " " + NOT_UTF8));
        }
        try {
            return IncomingPage.of(index, line, posted.readTree(item), item);
        } catch (StreamConstraintsException e) {
            return IncomingPage.unreadable(index, line, new Violation(null, Code.TOO_LARGE, where + " " + why(e)));
        } catch (JacksonException e) {
            return IncomingPage.unreadable(index, line, new Violation(null, Code.MALFORMED, where + " " + why(e)));
        }
    }

    /** What is wrong, in words: Jackson's own message, without the name of its setting. */
    private static String why(JacksonException e) {
        String message = String.valueOf(e.getOriginalMessage());
        int setting = message.indexOf(", from `");
        if (e instanceof StreamConstraintsException) {
            return "exceeds what a page can hold: " + (setting > 0 ? message.substring(0, setting) + ")" : message);
        }
        return "is not valid JSON: " + message;
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

    private static final String NOT_UTF8 = "is not UTF-8: JSON is sent as UTF-8 (RFC 8259), not UTF-16 or UTF-32";

    /**
     * A page's bytes are embedded as posted in a UTF-8 envelope ({@code EnvelopeCodec#encodeUpsert}), so they must be
     * UTF-8 JSON with nothing a parser skips at the start of a document only: a UTF-8 byte-order mark is dropped (as
     * browsers and parsers do), and UTF-16 or UTF-32 (which the parser would detect and read) is refused.
     */
    static byte[] withoutByteOrderMark(byte[] item) {
        return item.length >= 3 && item[0] == (byte) 0xEF && item[1] == (byte) 0xBB && item[2] == (byte) 0xBF
                ? java.util.Arrays.copyOfRange(item, 3, item.length) : item;
    }

    /** False for what a JSON parser would read as UTF-16 or UTF-32: a NUL among the first bytes (ASCII in those encodings), or their byte-order marks. */
    static boolean looksUtf8(byte[] item) {
        if (item.length >= 2 && (item[0] == (byte) 0xFE && item[1] == (byte) 0xFF || item[0] == (byte) 0xFF && item[1] == (byte) 0xFE)) {
            return false;
        }
        for (int i = 0; i < Math.min(4, item.length); i++) {
            if (item[i] == 0) {
                return false;
            }
        }
        return true;
    }
}
