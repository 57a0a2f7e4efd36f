package dev.sluice.api.read;

import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.read.cache.ReadMetrics;
import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.token.ConsistencyTokens;
import dev.sluice.core.page.InvalidUrlException;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.token.ConsistencyToken;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /v1/pages/{id}} and {@code GET /v1/pages?url=…}: the page with its {@code ETag} (its version), a
 * {@code 304} for a matching {@code If-None-Match}, a {@code 404} problem when absent. With {@code Consistency-Token}
 * the read first waits until the token's write is applied, then reads PostgreSQL itself.
 */
@Component
class ReadHandler {

    private final PageReads reads;
    private final AppliedPositions applied;
    private final ConsistencyTokens tokens;
    private final ReadProperties properties;
    private final ReadMetrics metrics;

    ReadHandler(PageReads reads, AppliedPositions applied, ConsistencyTokens tokens, ReadProperties properties, ReadMetrics metrics) {
        this.reads = reads;
        this.metrics = metrics;
        this.applied = applied;
        this.tokens = tokens;
        this.properties = properties;
    }

    Mono<ServerResponse> byId(ServerRequest request) {
        String id = request.pathVariable("id");
        if (!PageUrl.isValidId(id)) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-page-id", "Invalid page id",
                    "'" + id + "' is not a page id (32 lower-case hex characters).");
        }
        return respond(request, id);
    }

    Mono<ServerResponse> byUrl(ServerRequest request) {
        String url = request.queryParam("url").orElseThrow(() -> ProblemException.of(HttpStatus.BAD_REQUEST, "missing-url",
                "Missing url", "Give the page's URL as the query parameter url (or GET /v1/pages/{id})."));
        try {
            return respond(request, PageUrl.parse(url).id());
        } catch (InvalidUrlException e) {
            throw ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-url", "Invalid URL", "The url " + e.rule() + ".");
        }
    }

    private Mono<ServerResponse> respond(ServerRequest request, String id) {
        long started = System.nanoTime();
        String tokenText = request.headers().firstHeader("Consistency-Token");
        Mono<PageReads.Read> page;
        if (tokenText == null) {
            page = reads.read(id);
        } else {
            ConsistencyToken token = tokens.read(tokenText);
            page = applied.awaitCovered(token, properties.consistencyWait())
                    .flatMap(positions -> reads.readFresh(id, token, positions))
                    .switchIfEmpty(Mono.error(() -> ProblemException.of(HttpStatus.GATEWAY_TIMEOUT, "consistency-timeout",
                                    "Write not applied yet", "The write of this Consistency-Token was not applied to the database within "
                                            + properties.consistencyWait().toMillis() + " ms; retry shortly.")
                            .retryAfter(java.time.Duration.ofSeconds(1))));
        }
        return page.flatMap(read -> {
            metrics.record("page", read.source(), started);
            StoredPage found = read.page();
            if (!found.exists()) {
                return Mono.error(ProblemException.of(HttpStatus.NOT_FOUND, "page-not-found", "Page not found",
                        "No page " + id + " (never stored, or deleted)."));
            }
            String etag = "\"" + found.version() + "\"";
            if (etag.equals(request.headers().firstHeader(HttpHeaders.IF_NONE_MATCH))) {
                return ServerResponse.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
            }
            return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).eTag(etag).bodyValue(found.json());
        });
    }
}
