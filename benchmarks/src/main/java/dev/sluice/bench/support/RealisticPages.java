package dev.sluice.bench.support;

import dev.sluice.core.json.Json;
import dev.sluice.infra.test.Corpus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Pages for benchmarks, made from the real corpus: real HTML bodies cut (or joined) to an exact size, real
 * titles, distinct URLs and fetch times. Real HTML matters: it sets compression ratios and TOAST costs.
 */
public final class RealisticPages {

    private final List<JsonNode> corpus;
    private final String html;

    public RealisticPages() {
        this.corpus = Corpus.pages().stream().map(line -> Json.mapper().readTree(line)).toList();
        StringBuilder all = new StringBuilder();
        for (JsonNode page : corpus) {
            all.append(page.get("body").asString());
        }
        this.html = all.toString();
    }

    /** Page {@code n} with a body of exactly {@code bodySize} characters, as posted JSON. */
    public String page(long n, int bodySize, Instant fetchedAt) {
        JsonNode source = corpus.get((int) (n % corpus.size()));
        int start = (int) ((n * 7919L * 31) % Math.max(1, html.length() - bodySize));
        ObjectNode page = Json.mapper().createObjectNode();
        page.put("url", "https://bench.example/" + (n % 97) + "/" + source.get("url").asString().replaceAll("^https?://[^/]+/", "") + "?n=" + n);
        page.put("fetched_at", fetchedAt.toString());
        page.put("status", 200);
        page.put("title", source.get("title").asString());
        page.put("content_type", "text/html");
        page.put("body", html.substring(start, start + bodySize));
        page.putObject("metadata").put("crawler", "bench-" + (n % 8));
        return Json.mapper().writeValueAsString(page);
    }

    public List<String> pages(long first, int count, int bodySize, Instant fetchedAt) {
        List<String> pages = new ArrayList<>(count);
        for (long n = first; n < first + count; n++) {
            pages.add(page(n, bodySize, fetchedAt));
        }
        return pages;
    }
}
