package dev.sluice.api.read.sites;

import dev.sluice.api.read.cache.GenerationCache;
import dev.sluice.api.read.cache.ReadMetrics;
import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.paging.Cursors;
import dev.sluice.api.read.paging.PageRequest;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.json.Json;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/sites/{site}/pages?limit=&cursor=}: the site's pages, newest fetch first, with keyset cursors.
 * Each answer is cached under the site's list generation, which the invalidator bumps on any change of one of the
 * site's pages. Pagination while pages are written has neither gaps nor duplicates for pages whose fetch time does
 * not move; a page re-fetched meanwhile moves to the front, ahead of a client already past it.
 */
@Component
class SitePagesHandler {

    private final SitePageRows rows;
    private final GenerationCache cache;
    private final Cursors cursors;
    private final RedisKeys keys;
    private final ReadProperties properties;
    private final ReadMetrics metrics;

    SitePagesHandler(SitePageRows rows, GenerationCache cache, Cursors cursors, RedisKeys keys, ReadProperties properties, ReadMetrics metrics) {
        this.rows = rows;
        this.cache = cache;
        this.cursors = cursors;
        this.keys = keys;
        this.properties = properties;
        this.metrics = metrics;
    }

    Mono<ServerResponse> pages(ServerRequest request) {
        long started = System.nanoTime();
        String site = SiteName.of(request.pathVariable("site"));
        PageRequest paging = PageRequest.of(request);
        String scope = "site:" + site;
        SitePageRows.Position after = paging.first() ? null : cursors.open(scope, paging.cursor(), SitePagesHandler::position);
        String rest = paging.limit() + ":" + (paging.first() ? "-" : paging.cursor());
        return cache.get("list", keys.siteGeneration(site), generation -> keys.siteList(site, generation, rest), properties.listTtl(),
                        () -> rows.page(site, paging.limit(), after).map(items -> render(items, paging.limit(), scope)))
                .flatMap(result -> {
                    metrics.record("site-list", result.source(), started);
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(result.json());
                });
    }

    private String render(List<SitePageRows.Item> items, int limit, String scope) {
        ObjectNode answer = Json.mapper().createObjectNode();
        ArrayNode array = answer.putArray("items");
        items.stream().limit(limit).forEach(item -> array.add(item.json()));
        if (items.size() > limit) {
            SitePageRows.Position last = items.get(limit - 1).position();
            answer.put("next_cursor", cursors.seal(scope, cursorPayload(last)));
        } else {
            answer.putNull("next_cursor");
        }
        return Json.mapper().writeValueAsString(answer);
    }

    private static ByteBuffer cursorPayload(SitePageRows.Position position) {
        Instant at = position.fetchedAt();
        return ByteBuffer.allocate(24).putLong(Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000))
                .put(HexFormat.of().parseHex(position.id())).flip();
    }

    private static SitePageRows.Position position(ByteBuffer payload) {
        long micros = payload.getLong();
        byte[] id = new byte[16];
        payload.get(id);
        if (payload.hasRemaining()) {
            throw new IllegalArgumentException("trailing bytes");
        }
        return new SitePageRows.Position(
                Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L), HexFormat.of().formatHex(id));
    }
}
