package dev.sluice.api.read.sites;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.api.problem.ProblemException;
import dev.sluice.api.read.cache.ReadMetrics;
import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.cache.ReadSource;
import dev.sluice.api.read.cache.RedisGuard;
import dev.sluice.api.read.database.DatabaseReads;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.json.Json;
import dev.sluice.core.stats.SiteStats;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/sites/{site}/stats}: live pages, the newest fetch, and the ingest rate (changes applied per second
 * over the last 1, 5 and 15 minutes). The cache invalidator maintains them from the change feed into Redis; when
 * Redis has none (Redis down, or a site whose pages all predate the feed) they are computed from PostgreSQL, and
 * that answer is kept for {@code stats-fallback-ttl} in this instance: a count over a large site is the dearest read
 * there is, and concurrent requests for one site share one count. {@code near_duplicates} counts, over the search
 * index, the site's pages whose text is within 3 bits (simhash) of a page of the site indexed before them, and is
 * kept as long.
 */
@Component
class SiteStatsHandler {

    private static final String FROM_DATABASE = """
            SELECT count(*), max(fetched_at),
                   count(*) FILTER (WHERE updated_at > now() - interval '1 minute'),
                   count(*) FILTER (WHERE updated_at > now() - interval '5 minutes'),
                   count(*) FILTER (WHERE updated_at > now() - interval '15 minutes')
            FROM pages WHERE site = $1 AND deleted_at IS NULL""";

    /** Of the site's indexed pages, those within 3 bits (simhash) of a page of the site indexed before them. */
    private static final String NEAR_DUPLICATES = """
            SELECT count(*), count(duplicate_of) FROM page_search WHERE site = $1""";

    private final ReactiveStringRedisTemplate redis;
    private final RedisGuard guard;
    private final RedisKeys keys;
    private final DatabaseClient db;
    private final DatabaseReads bound;
    private final ReadMetrics metrics;
    private final AsyncCache<String, Answer> computed;
    private final AsyncCache<String, ObjectNode> nearDuplicates;
    private final Clock clock = Clock.systemUTC();

    SiteStatsHandler(ReactiveStringRedisTemplate redis, RedisGuard guard, RedisKeys keys, DatabaseClient db, DatabaseReads bound, ReadMetrics metrics,
            ReadProperties properties) {
        this.redis = redis;
        this.guard = guard;
        this.keys = keys;
        this.db = db;
        this.bound = bound;
        this.metrics = metrics;
        this.computed = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(properties.statsFallbackTtl()).buildAsync();
        this.nearDuplicates = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(properties.statsFallbackTtl()).buildAsync();
    }

    Mono<ServerResponse> stats(ServerRequest request) {
        long started = System.nanoTime();
        String site = SiteName.of(request.pathVariable("site"));
        return guard.call("stats", redis.opsForValue().get(keys.siteStats(site)))
                .map(json -> answer(site, SiteStats.fromJson(json), ReadSource.CACHE))
                .switchIfEmpty(Mono.defer(() -> Mono.fromFuture(computed.get(site, (name, executor) -> fromDatabase(name).toFuture()), true)))
                .zipWith(Mono.fromFuture(nearDuplicates.get(site, (name, executor) -> nearDuplicates(name).toFuture()), true))
                .flatMap(answeredAndDuplicates -> {
                    Answer answered = answeredAndDuplicates.getT1();
                    metrics.record("stats", answered.source(), started);
                    ObjectNode answer = answered.json().deepCopy();
                    answer.set("near_duplicates", answeredAndDuplicates.getT2());
                    if (answer.path("pages").asLong() == 0 && answer.path("last_fetched_at").isNull()) {
                        return Mono.error(ProblemException.of(HttpStatus.NOT_FOUND, "site-not-found", "Site not found",
                                "No page of " + site + " is stored."));
                    }
                    return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(Json.mapper().writeValueAsString(answer));
                });
    }

    private record Answer(ObjectNode json, ReadSource source) {}

    private Answer answer(String site, SiteStats stats, ReadSource source) {
        Instant now = clock.instant();
        ObjectNode answer = Json.mapper().createObjectNode();
        answer.put("site", site);
        answer.put("pages", stats.pages());
        answer.put("last_fetched_at", stats.lastFetchedAt() == null ? null : stats.lastFetchedAt().toString());
        ObjectNode rate = answer.putObject("ingest_rate");
        rate.put("changes_per_second_1m", round(stats.changesPerSecond(now, Duration.ofMinutes(1))));
        rate.put("changes_per_second_5m", round(stats.changesPerSecond(now, Duration.ofMinutes(5))));
        rate.put("changes_per_second_15m", round(stats.changesPerSecond(now, Duration.ofMinutes(15))));
        answer.put("source", "change-feed");
        return new Answer(answer, source);
    }

    private Mono<Answer> fromDatabase(String site) {
        return bound.bounded(db.sql(FROM_DATABASE).bind(0, site).map(row -> {
            ObjectNode answer = Json.mapper().createObjectNode();
            answer.put("site", site);
            answer.put("pages", row.get(0, Long.class));
            OffsetDateTime last = row.get(1, OffsetDateTime.class);
            answer.put("last_fetched_at", last == null ? null : last.toInstant().toString());
            ObjectNode rate = answer.putObject("ingest_rate");
            rate.put("changes_per_second_1m", round(row.get(2, Long.class) / 60.0));
            rate.put("changes_per_second_5m", round(row.get(3, Long.class) / 300.0));
            rate.put("changes_per_second_15m", round(row.get(4, Long.class) / 900.0));
            answer.put("source", "database");
            return new Answer(answer, ReadSource.DATABASE);
        }).one());
    }

    /** Counted over the search index, and kept like a count from the database: a large site's is dear. */
    private Mono<ObjectNode> nearDuplicates(String site) {
        return bound.bounded(db.sql(NEAR_DUPLICATES).bind(0, site).map(row -> {
            long indexed = row.get(0, Long.class);
            long duplicates = row.get(1, Long.class);
            ObjectNode near = Json.mapper().createObjectNode();
            near.put("indexed_pages", indexed);
            near.put("pages", duplicates);
            near.put("ratio", indexed == 0 ? 0 : Math.round(duplicates * 10_000.0 / indexed) / 10_000.0);
            return near;
        }).one());
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
