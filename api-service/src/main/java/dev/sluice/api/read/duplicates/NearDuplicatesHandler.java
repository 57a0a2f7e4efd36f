package dev.sluice.api.read.duplicates;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.read.paging.PageRequest;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.PageUrl;
import java.util.HexFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/pages/{id}/near-duplicates?limit=}: the indexed pages whose visible text is within 3 bits of the
 * page's (simhash), nearest first; distance 0 is the same words. The page must be in the search index (it is once
 * the indexer has seen its change, a second or so after it was applied).
 */
@Component
class NearDuplicatesHandler {

    private final NearDuplicateRows rows;

    NearDuplicatesHandler(NearDuplicateRows rows) {
        this.rows = rows;
    }

    Mono<ServerResponse> nearDuplicates(ServerRequest request) {
        String id = request.pathVariable("id");
        if (!PageUrl.isValidId(id)) {
            return Mono.error(ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-page-id", "Invalid page id",
                    "'" + abbreviate(id) + "' is not a page id (32 lower-case hex characters, as returned by POST /v1/pages)."));
        }
        int limit = PageRequest.of(request).limit();
        return rows.of(id, limit).flatMap(found -> {
            if (found.isEmpty()) {
                return Mono.error(ProblemException.of(HttpStatus.NOT_FOUND, "page-not-found", "Page not found",
                        "The page " + id + " is not in the search index: unknown, deleted, or not indexed yet."));
            }
            NearDuplicateRows.Near near = found.get();
            ObjectNode answer = Json.mapper().createObjectNode();
            answer.put("id", id);
            answer.put("fingerprint", near.fingerprint() == null ? null : HexFormat.of().toHexDigits(near.fingerprint()));
            answer.put("max_distance", NearDuplicateRows.MAX_DISTANCE);
            ArrayNode items = answer.putArray("near_duplicates");
            for (NearDuplicateRows.Duplicate duplicate : near.duplicates()) {
                ObjectNode item = items.addObject();
                item.put("id", duplicate.id());
                item.put("site", duplicate.site());
                item.put("url", duplicate.url());
                item.put("title", duplicate.title());
                item.put("fetched_at", duplicate.fetchedAt().toInstant().toString());
                item.put("distance", duplicate.distance());
            }
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(Json.mapper().writeValueAsString(answer));
        });
    }

    private static String abbreviate(String text) {
        return text.length() > 64 ? text.substring(0, 64) + "…" : text;
    }
}
