package dev.sluice.api.write;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageParser;
import dev.sluice.core.page.Violation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.springframework.http.HttpStatus;

/**
 * A batch as it streams in: encoded pages while every item is valid; once one is not, only the list of what is
 * wrong (index, line for NDJSON, field, code, message), since the batch will be rejected whole.
 */
final class BatchAssembly {

    /** Most errors listed in one answer; {@code error_count} says how many there were. */
    static final int MAX_LISTED_ERRORS = 100;

    private final PageParser parser;
    private final BiFunction<PageEnvelope, byte[], OutgoingPage> encoder;
    private final String client;
    private final Instant acceptedAt;
    private final int maxPages;
    private final List<OutgoingPage> pages = new ArrayList<>();
    private final List<Map<String, Object>> errors = new ArrayList<>();
    private int count;
    private int errorCount;

    /** @param encoder encodes an upsert from the parsed page and its bytes as posted */
    BatchAssembly(PageParser parser, BiFunction<PageEnvelope, byte[], OutgoingPage> encoder, String client, Instant acceptedAt,
            int maxPages) {
        this.parser = parser;
        this.encoder = encoder;
        this.client = client;
        this.acceptedAt = acceptedAt;
        this.maxPages = maxPages;
    }

    BatchAssembly add(IncomingPage item) {
        if (++count > maxPages) {
            throw ProblemException.of(HttpStatus.CONTENT_TOO_LARGE, "batch-too-large", "Batch too large",
                            "A batch may hold at most " + maxPages + " pages; split it.")
                    .with("limit_pages", maxPages);
        }
        List<Violation> violations = new ArrayList<>(item.unreadableAsList());
        Page page = item.json() == null ? null : parser.parse(item.json(), violations);
        if (page == null) {
            pages.clear(); // rejected whole: stop holding its pages
            violations.forEach(violation -> addError(item, violation));
        } else if (errors.isEmpty()) {
            pages.add(encoder.apply(PageEnvelope.upsert(page, acceptedAt, client), item.posted()));
        }
        return this;
    }

    /** The pages to send, or the problem that rejects the batch. */
    List<OutgoingPage> pagesOrThrow() {
        if (errorCount > 0) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-batch", "Invalid batch",
                            "The batch was rejected whole, nothing was accepted: " + errorCount + " problem(s), the first at item "
                                    + errors.get(0).get("index") + " (" + errors.get(0).get("message") + ").")
                    .with("error_count", errorCount)
                    .with("errors", errors);
        }
        if (pages.isEmpty()) {
            throw PageReader.malformed("The batch is empty: send at least one page.");
        }
        return pages;
    }

    private void addError(IncomingPage item, Violation violation) {
        errorCount++;
        if (errors.size() < MAX_LISTED_ERRORS) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("index", item.index());
            if (item.line() > 0) {
                error.put("line", item.line());
            }
            error.putAll(describe(violation));
            errors.add(error);
        }
    }

    static Map<String, Object> describe(Violation violation) {
        Map<String, Object> error = new LinkedHashMap<>();
        if (violation.field() != null) {
            error.put("field", violation.field());
        }
        error.put("code", violation.code().value());
        error.put("message", violation.message());
        return error;
    }
}
