package dev.sluice.api.write;

import dev.sluice.api.auth.ApiKey;
import dev.sluice.api.auth.ApiKeyFilter;
import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.ratelimit.RateLimiter;
import dev.sluice.api.token.ConsistencyTokens;
import dev.sluice.api.trace.RequestTraces;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageLimits;
import dev.sluice.core.page.PageParser;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.Violation;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /v1/pages}, {@code POST /v1/pages/batch}, {@code DELETE /v1/pages/{id}}: read, validate (a batch
 * whole: one bad item rejects it, naming every bad item), take the pages from the key's rate limit, hand them to
 * Kafka, and answer 202 with the consistency token once Kafka has all of them.
 */
@Component
class WriteHandler {

    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final RequestBodies bodies;
    private final PageReader reader;
    private final PageParser parser;
    private final EnvelopeCodec codec;
    private final PageProducer producer;
    private final RateLimiter rateLimiter;
    private final ConsistencyTokens tokens;
    private final InFlightBytes inFlight;
    private final WriteMetrics metrics;
    private final WriteProperties properties;
    private final Clock clock;

    WriteHandler(RequestBodies bodies, PageReader reader, PageLimits limits, EnvelopeCodec codec, PageProducer producer,
            RateLimiter rateLimiter, ConsistencyTokens tokens, InFlightBytes inFlight, WriteMetrics metrics,
            WriteProperties properties) {
        this.bodies = bodies;
        this.reader = reader;
        this.parser = new PageParser(limits);
        this.codec = codec;
        this.producer = producer;
        this.rateLimiter = rateLimiter;
        this.tokens = tokens;
        this.inFlight = inFlight;
        this.metrics = metrics;
        this.properties = properties;
        this.clock = Clock.systemUTC();
    }

    Mono<ServerResponse> postPage(ServerRequest request) {
        return Mono.defer(() -> {
            requireMediaType(request, MediaType.APPLICATION_JSON);
            ApiKey key = key(request);
            refuseIfKnownEmpty(request, key);
            return Mono.using(inFlight::reserve, reservation -> reader.one(bodies.read(request.exchange(), reservation))
                            .map(posted -> {
                                List<Violation> violations = new ArrayList<>();
                                Page page = parser.parse(posted.json(), violations);
                                if (page == null) {
                                    throw invalidPage(violations);
                                }
                                return encodePosted(PageEnvelope.upsert(page, now(), key.name()), posted.posted());
                            })
                            .flatMap(page -> accept(request, key, List.of(page), 1, 0)),
                    InFlightBytes.Reservation::close);
        }).flatMap(accepted -> respond(idAndToken(accepted)));
    }

    Mono<ServerResponse> postBatch(ServerRequest request) {
        return Mono.defer(() -> {
            MediaType type = requireMediaType(request, MediaType.APPLICATION_JSON, NDJSON);
            ApiKey key = key(request);
            refuseIfKnownEmpty(request, key);
            Instant acceptedAt = now();
            return Mono.using(inFlight::reserve, reservation -> {
                var body = bodies.read(request.exchange(), reservation);
                Flux<IncomingPage> items = NDJSON.isCompatibleWith(type) ? reader.ndjson(body) : reader.jsonArray(body);
                return items
                        .reduceWith(() -> {
                                    EnvelopeCodec.PostedUpserts upserts = codec.postedUpserts(acceptedAt, key.name());
                                    return new BatchAssembly(parser, (upsert, posted) -> checkSize(upsert, upserts.encode(upsert.id(), posted)),
                                            key.name(), acceptedAt, properties.maxPagesPerBatch());
                                },
                                BatchAssembly::add)
                        .flatMap(batch -> {
                            List<OutgoingPage> pages = batch.pagesOrThrow();
                            return accept(request, key, pages, pages.size(), 0);
                        });
            }, InFlightBytes.Reservation::close);
        }).flatMap(accepted -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("accepted", accepted.ids().size());
            body.put("ids", accepted.ids());
            body.put("token", accepted.token());
            return respond(body);
        });
    }

    Mono<ServerResponse> deletePage(ServerRequest request) {
        return Mono.defer(() -> {
            String id = request.pathVariable("id");
            if (!PageUrl.isValidId(id)) {
                return Mono.error(ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-page-id", "Invalid page id",
                        "'" + id + "' is not a page id (32 lower-case hex characters, as returned by POST /v1/pages)."));
            }
            ApiKey key = key(request);
            OutgoingPage delete = encode(PageEnvelope.delete(id, now(), key.name()));
            return accept(request, key, List.of(delete), 0, 1);
        }).flatMap(accepted -> respond(idAndToken(accepted)));
    }

    private static Map<String, Object> idAndToken(Accepted accepted) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", accepted.ids().get(0));
        body.put("token", accepted.token());
        return body;
    }

    private Mono<Accepted> accept(ServerRequest request, ApiKey key, List<OutgoingPage> pages, int upserts, int deletes) {
        int count = pages.size();
        if (count > key.burst()) {
            return Mono.error(ProblemException.of(HttpStatus.CONTENT_TOO_LARGE, "batch-exceeds-burst", "Batch exceeds the key's burst",
                            "This batch of " + count + " pages is larger than the burst of the API key '" + key.name()
                                    + "' (" + key.burst() + " pages): split it.")
                    .with("limit_pages", key.burst()));
        }
        return rateLimiter.acquire(key, count).flatMap(decision -> {
            request.exchange().getResponse().getHeaders().set("RateLimit-Limit", Integer.toString(decision.limit()));
            request.exchange().getResponse().getHeaders().set("RateLimit-Remaining", Long.toString(decision.remaining()));
            request.exchange().getResponse().getHeaders().set("RateLimit-Reset", Long.toString(ceilSeconds(decision.resetAfter().toMillis())));
            if (!decision.allowed()) {
                return Mono.error(rateLimited(key, "this request of " + count + " page(s)").retryAfter(decision.retryAfter()));
            }
            return producer.send(pages, RequestTraces.of(request.exchange()).orElse(null)).map(token -> {
                long bytes = 0;
                List<String> ids = new ArrayList<>(count);
                for (OutgoingPage page : pages) {
                    bytes += page.envelope().length;
                    ids.add(page.id());
                }
                metrics.accepted(upserts, deletes, bytes);
                return new Accepted(ids, tokens.issue(token));
            });
        });
    }

    /** Before the body is read: a key this instance just refused cannot send a page yet, whatever the body holds. */
    private void refuseIfKnownEmpty(ServerRequest request, ApiKey key) {
        rateLimiter.knownEmpty(key).ifPresent(wait -> {
            HttpHeaders headers = request.exchange().getResponse().getHeaders();
            headers.set("RateLimit-Limit", Integer.toString(key.burst()));
            headers.set("RateLimit-Remaining", "0");
            headers.set("RateLimit-Reset", Long.toString(ceilSeconds(wait.toMillis())));
            throw rateLimited(key, "this request").retryAfter(wait);
        });
    }

    private static ProblemException rateLimited(ApiKey key, String what) {
        return ProblemException.of(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Rate limited",
                "The API key '" + key.name() + "' may send " + key.ratePerSecond() + " pages per second (burst "
                        + key.burst() + "); " + what + " must wait.");
    }

    /** An upsert with its page embedded as posted: no re-serialisation (see {@link EnvelopeCodec#encodeUpsert}). */
    private OutgoingPage encodePosted(PageEnvelope upsert, byte[] posted) {
        return checkSize(upsert, codec.encodeUpsert(upsert.id(), upsert.acceptedAt(), upsert.client(), posted));
    }

    private OutgoingPage encode(PageEnvelope envelope) {
        return checkSize(envelope, codec.encode(envelope));
    }

    private OutgoingPage checkSize(PageEnvelope envelope, byte[] bytes) {
        if (bytes.length > producer.maxRecordBytes()) {
            throw ProblemException.of(HttpStatus.CONTENT_TOO_LARGE, "page-too-large", "Page too large",
                    "The page " + envelope.id() + " is " + bytes.length + " bytes once encoded; the topic takes at most "
                            + producer.maxRecordBytes() + ".");
        }
        return new OutgoingPage(envelope.id(), bytes);
    }

    private static MediaType requireMediaType(ServerRequest request, MediaType... accepted) {
        MediaType type = request.headers().contentType().orElse(null);
        if (type != null && !type.isWildcardType() && !type.isWildcardSubtype()) {
            for (MediaType candidate : accepted) {
                boolean structuredJson = candidate.equals(MediaType.APPLICATION_JSON) && type.getSubtype().endsWith("+json");
                if (candidate.isCompatibleWith(type) || structuredJson) {
                    return type;
                }
            }
        }
        String acceptedList = String.join(", ", java.util.Arrays.stream(accepted).map(MediaType::toString).toList());
        throw ProblemException.of(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type",
                        (type == null ? "The request has no Content-Type" : "Content-Type " + type + " is not accepted here")
                                + "; send " + acceptedList + ".")
                .header("Accept-Post", acceptedList);
    }

    private static ApiKey key(ServerRequest request) {
        return ApiKeyFilter.key(request.exchange())
                .orElseThrow(() -> new IllegalStateException("the API key filter lets no write through without a key"));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static Mono<ServerResponse> respond(Map<String, Object> body) {
        return ServerResponse.accepted().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }

    /** Names every rule broken, up to {@link BatchAssembly#MAX_LISTED_ERRORS}; {@code error_count} says how many there were. */
    private static ProblemException invalidPage(List<Violation> violations) {
        List<Violation> listed = violations.subList(0, Math.min(violations.size(), BatchAssembly.MAX_LISTED_ERRORS));
        List<Violation> inDetail = violations.subList(0, Math.min(violations.size(), 5));
        String more = violations.size() > inDetail.size() ? "; and " + (violations.size() - inDetail.size()) + " more (see errors)" : "";
        return ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-page", "Invalid page",
                        violations.size() == 1 ? "The page is invalid: " + violations.get(0).message() + "."
                                : "The page breaks " + violations.size() + " rules: "
                                        + String.join("; ", inDetail.stream().map(Violation::message).toList()) + more + ".")
                .with("error_count", violations.size())
                .with("errors", listed.stream().map(BatchAssembly::describe).toList());
    }

    private static long ceilSeconds(long millis) {
        return (millis + 999) / 1000;
    }

    private record Accepted(List<String> ids, String token) {}

}
