package dev.sluice.bench.ingest;

import dev.sluice.bench.support.RealisticPages;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.ContentHash;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of the benchmark as the worker stores it. The limits (COPY, bare upsert) and the worker store exactly
 * these rows; the limits get them ready-made, without Kafka or decoding. Only what is small is kept: the body is
 * sliced out of the corpus again when needed.
 */
public record BenchRow(RealisticPages generator, long n, int bodySize, Instant fetchedAt, String id, String url, String site,
        String title, String metadata, byte[] contentHash, int postedBytes) {

    private static final EnvelopeCodec CODEC = new EnvelopeCodec();
    private static final PageParser PARSER = new PageParser(PageLimits.DEFAULTS);

    /** Pages {@code first} to {@code first + count - 1}. */
    public static List<BenchRow> generate(RealisticPages generator, long first, int count, int bodySize, Instant fetchedAt) {
        List<BenchRow> rows = new ArrayList<>(count);
        for (long n = first; n < first + count; n++) {
            String json = generator.page(n, bodySize, fetchedAt);
            Page page = PARSER.parse(Json.mapper().readTree(json));
            rows.add(new BenchRow(generator, n, bodySize, fetchedAt, page.id(), page.url().normalized(), page.site(), page.title(),
                    page.metadata().toString(), ContentHash.of(page), json.getBytes(StandardCharsets.UTF_8).length));
        }
        return rows;
    }

    String body() {
        return generator.fields(n, bodySize).body();
    }

    /** The record the API would have produced for this page. */
    byte[] envelope() {
        Page page = PARSER.parse(Json.mapper().readTree(generator.page(n, bodySize, fetchedAt)));
        return CODEC.encode(PageEnvelope.upsert(page, Instant.now(), "bench"));
    }
}
