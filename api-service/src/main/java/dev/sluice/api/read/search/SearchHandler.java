package dev.sluice.api.read.search;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.read.cache.GenerationCache;
import dev.sluice.api.read.cache.ReadMetrics;
import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.paging.Cursors;
import dev.sluice.api.read.paging.PageRequest;
import dev.sluice.api.read.sites.SiteName;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/search?q=&site=&limit=&cursor=}: pages matching the query, best first, with a highlighted snippet.
 * Eventually consistent (the search indexer runs behind the change feed). Answers are cached under a search
 * generation that the indexer bumps after each batch it commits: the site's own for a search within a site, a
 * global one for a search across sites.
 */
@Component
class SearchHandler {

    private final SearchRows rows;
    private final GenerationCache cache;
    private final Cursors cursors;
    private final RedisKeys keys;
    private final ReadProperties readProperties;
    private final SearchProperties properties;
    private final ReadMetrics metrics;

    SearchHandler(SearchRows rows, GenerationCache cache, Cursors cursors, RedisKeys keys, ReadProperties readProperties,
            SearchProperties properties, ReadMetrics metrics) {
        this.rows = rows;
        this.cache = cache;
        this.cursors = cursors;
        this.keys = keys;
        this.readProperties = readProperties;
        this.properties = properties;
        this.metrics = metrics;
    }

    Mono<ServerResponse> search(ServerRequest request) {
        long started = System.nanoTime();
        String query = request.queryParam("q").map(String::strip).filter(q -> !q.isEmpty()).orElseThrow(() -> ProblemException.of(
                HttpStatus.BAD_REQUEST, "missing-query", "Missing query", "Give the words to search for as the query parameter q."));
        if (query.length() > properties.maxQueryLength()) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "query-too-long", "Query too long",
                    "q has " + query.length() + " characters; at most " + properties.maxQueryLength() + " are accepted.");
        }
        if (query.indexOf('\u0000') >= 0) { // PostgreSQL text cannot hold it: refused here, not as a database error
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-query", "Invalid query", "q contains a NUL character (%00).");
        }
        int terms = terms(query);
        if (terms > properties.maxQueryTerms()) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "query-too-complex", "Query too complex",
                            "q has " + terms + " words; at most " + properties.maxQueryTerms() + " are accepted (or is not counted).")
                    .with("limit_terms", properties.maxQueryTerms());
        }
        String site = request.queryParam("site").filter(s -> !s.isEmpty()).map(SiteName::of).orElse(null);
        PageRequest paging = PageRequest.of(request);
        String scope = "search:" + digest(query, site == null ? "" : site);
        SearchRows.Position after = paging.first() ? null : cursors.open(scope, paging.cursor(), SearchHandler::position);
        String entry = digest(query, site == null ? "" : site, Integer.toString(paging.limit()), paging.first() ? "" : paging.cursor());
        String generationKey = site == null ? keys.searchGeneration() : keys.siteSearchGeneration(site);
        return cache.get("search", generationKey,
                        generation -> site == null ? keys.search(generation, entry) : keys.siteSearch(site, generation, entry),
                        readProperties.searchTtl(),
                        () -> rows.search(query, site, paging.limit(), after).map(hits -> render(hits, paging.limit(), scope)))
                .flatMap(result -> {
                    metrics.record("search", result.source(), started);
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(result.json());
                });
    }

    private String render(List<SearchRows.Hit> hits, int limit, String scope) {
        ObjectNode answer = Json.mapper().createObjectNode();
        ArrayNode items = answer.putArray("items");
        hits.stream().limit(limit).forEach(hit -> items.add(hit.json()));
        if (hits.size() > limit) {
            SearchRows.Position last = hits.get(limit - 1).position();
            answer.put("next_cursor", cursors.seal(scope, ByteBuffer.allocate(20).putFloat(last.rank())
                    .put(HexFormat.of().parseHex(last.id())).flip()));
        } else {
            answer.putNull("next_cursor");
        }
        return Json.mapper().writeValueAsString(answer);
    }

    private static SearchRows.Position position(ByteBuffer payload) {
        float rank = payload.getFloat();
        byte[] id = new byte[16];
        payload.get(id);
        if (payload.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        return new SearchRows.Position(rank, HexFormat.of().formatHex(id));
    }

    /** Words of a web-search query: runs of letters and digits, the operator {@code or} aside. */
    static int terms(String query) {
        int terms = 0;
        for (String word : query.split("[^\\p{L}\\p{N}]+")) {
            if (!word.isEmpty() && !word.equalsIgnoreCase("or")) {
                terms++;
            }
        }
        return terms;
    }

    /** A short, fixed-length name for the parts (each of any length), for a key or a cursor's scope. */
    private static String digest(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
