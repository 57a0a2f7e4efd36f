package dev.sluice.bench.support;

import dev.sluice.core.json.Json;
import dev.sluice.infra.sample.Corpus;
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

    /** What page {@code n} says, before it is JSON: the body is a slice of the corpus, so it costs no memory. */
    public record Fields(String url, String title, String body, String crawler) {}

    public Fields fields(long n, int bodySize) {
        JsonNode source = corpus.get((int) (n % corpus.size()));
        int start = (int) ((n * 7919L * 31) % Math.max(1, html.length() - bodySize));
        return new Fields("https://bench.example/" + (n % 97) + "/" + source.get("url").asString().replaceAll("^https?://[^/]+/", "") + "?n=" + n,
                source.get("title").asString(), html.substring(start, start + bodySize), "bench-" + (n % 8));
    }

    /** Page {@code n} with a body of exactly {@code bodySize} characters, as posted JSON. */
    public String page(long n, int bodySize, Instant fetchedAt) {
        Fields fields = fields(n, bodySize);
        ObjectNode page = Json.mapper().createObjectNode();
        page.put("url", fields.url());
        page.put("fetched_at", fetchedAt.toString());
        page.put("status", 200);
        page.put("title", fields.title());
        page.put("content_type", "text/html");
        page.put("body", fields.body());
        page.putObject("metadata").put("crawler", fields.crawler());
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
