package dev.sluice.api.read.changes;

import dev.sluice.api.read.cache.ReadMetrics;
import dev.sluice.api.read.cache.ReadSource;
import dev.sluice.api.read.paging.Cursors;
import dev.sluice.api.read.paging.PageRequest;
import dev.sluice.api.read.sites.SiteName;
import dev.sluice.core.json.Json;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/changes?cursor=&site=&limit=}: the pages changed (inserted, updated, deleted) after a sealed cursor,
 * for a downstream indexer or a re-crawl scheduler that follows the store without reading Kafka. Every answer has a
 * {@code next_cursor}, also when it is empty: poll with it. While writes continue the walk has neither gaps nor
 * duplicates: a page appears again only when it changed again, with its new version. Not cached: a feed is read
 * once per position.
 */
@Component
class ChangesHandler {

    private final ChangeRows rows;
    private final Cursors cursors;
    private final ReadMetrics metrics;

    ChangesHandler(ChangeRows rows, Cursors cursors, ReadMetrics metrics) {
        this.rows = rows;
        this.cursors = cursors;
        this.metrics = metrics;
    }

    Mono<ServerResponse> changes(ServerRequest request) {
        long started = System.nanoTime();
        String site = request.queryParam("site").filter(value -> !value.isEmpty()).map(SiteName::of).orElse(null);
        PageRequest paging = PageRequest.of(request);
        String scope = "changes:" + (site == null ? "*" : site);
        ChangeRows.Position after = paging.first() ? ChangeRows.Position.START : cursors.open(scope, paging.cursor(), ChangesHandler::position);
        return rows.after(after, paging.limit(), site).flatMap(changes -> {
            metrics.record("changes", ReadSource.DATABASE, started);
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(render(changes, after, scope));
        });
    }

    private String render(List<ChangeRows.Change> changes, ChangeRows.Position after, String scope) {
        ObjectNode answer = Json.mapper().createObjectNode();
        ArrayNode array = answer.putArray("changes");
        changes.forEach(change -> array.add(change.json()));
        ChangeRows.Position last = changes.isEmpty() ? after : changes.get(changes.size() - 1).position();
        answer.put("next_cursor", cursors.seal(scope, payload(last)));
        return Json.mapper().writeValueAsString(answer);
    }

    private static ByteBuffer payload(ChangeRows.Position position) {
        byte[] id = position.id().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + id.length).putLong(position.changeXid()).put(id).flip();
    }

    private static ChangeRows.Position position(ByteBuffer payload) {
        long changeXid = payload.getLong();
        byte[] id = new byte[payload.remaining()];
        payload.get(id);
        String text = new String(id, StandardCharsets.US_ASCII);
        if (!text.isEmpty() && !text.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("not a page id");
        }
        return new ChangeRows.Position(changeXid, text);
    }
}
