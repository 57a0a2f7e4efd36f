package dev.sluice.api.read;

import dev.sluice.api.ApiFixtures;
import dev.sluice.api.StoredRows;
import dev.sluice.api.read.cache.ReadProperties;
import dev.sluice.api.read.cache.RedisGuard;
import dev.sluice.api.read.database.DatabaseReads;
import dev.sluice.api.token.ConsistencyTokens;
import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.token.ConsistencyToken;
import dev.sluice.core.topic.Topics;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The races of cache-aside, made deterministic: the API's database reads pass a gate the test opens, so a reader
 * can be held between reading PostgreSQL and filling the cache while the invalidator acts, and many readers can be
 * made to miss at once.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.redis.key-prefix=read-races-it:",
        "sluice.api.read.redis-timeout=2s",
        "sluice.api.read.lease-ttl=10s"})
class ReadRacesIT {

    /** The real PostgreSQL read, held after it has read until the test opens the gate. */
    static final class GatedRows extends PageRows {
        volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
        final AtomicInteger reads = new AtomicInteger();

        GatedRows(DatabaseClient db, DatabaseReads bound, MeterRegistry meters) {
            super(db, bound, meters);
        }

        @Override
        Mono<StoredPage> byId(String id) {
            return super.byId(id).doOnNext(read -> reads.incrementAndGet()).delayUntil(read -> Mono.fromFuture(gate));
        }

        void close() {
            gate = new CompletableFuture<>();
        }

        void open() {
            gate.complete(null);
        }
    }

    @TestConfiguration
    static class Gate {
        @Bean
        @Primary
        GatedRows gatedRows(DatabaseClient db, DatabaseReads bound, MeterRegistry meters) {
            return new GatedRows(db, bound, meters);
        }
    }

    static StoredRows rows;

    @LocalServerPort
    int port;

    @Autowired
    GatedRows database;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    ReactiveStringRedisTemplate reactiveRedis;

    @Autowired
    RedisKeys keys;

    @Autowired
    ReadProperties properties;

    @Autowired
    MeterRegistry meters;

    @Autowired
    ConsistencyTokens tokens;

    @Autowired
    Topics topics;

    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(ReadRacesIT.class);
        ApiFixtures.migrate(connections);
        rows = new StoredRows(connections.dataSource());
    }

    CompletableFuture<HttpResponse<String>> get(String id) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/pages/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> getWithToken(String id, String token) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/pages/" + id))
                .header("Consistency-Token", token).build(), HttpResponse.BodyHandlers.ofString());
    }

    String cachedVersion(String id) {
        return (String) redis.opsForHash().get(keys.page(id), "v");
    }

    void invalidate(String id, long version) {
        redis.execute(RedisScript.of(PageCacheProtocol.INVALIDATE, Long.class), List.of(keys.page(id), keys.pageFence(id)),
                Long.toString(version), "60000");
    }

    double suppressed(String scope) {
        var counter = meters.find("sluice.api.cache.stampede.suppressed").tag("scope", scope).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aSlowReaderCannotPutBackAVersionTheInvalidatorHasReplaced() throws Exception {
        String id = rows.page("https://races.example/slow", "v1", "<p>one</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
        database.close();
        int readsBefore = database.reads.get();

        CompletableFuture<HttpResponse<String>> slowReader = get(id);
        await().until(() -> database.reads.get() == readsBefore + 1); // it has read version 1, and is held before its fill

        rows.update("UPDATE pages SET title = 'v2', version = 2 WHERE id = ?", id); // the worker writes version 2
        invalidate(id, 2);                                                         // and the invalidator sees it
        database.open();

        HttpResponse<String> answer = slowReader.get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("ETag")).contains("\"1\""); // what it read, when it read
        assertThat(cachedVersion(id)).as("its fill of version 1 was refused").isNull();

        HttpResponse<String> next = get(id).get();
        assertThat(next.headers().firstValue("ETag")).contains("\"2\"");
        assertThat(cachedVersion(id)).isEqualTo("2");
    }

    @Test
    void aHundredConcurrentMissesOfOnePageMakeOneDatabaseRead() throws Exception {
        String id = rows.page("https://races.example/hot", "Hot", "<p>hot</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
        database.close();
        int readsBefore = database.reads.get();
        double sharedBefore = suppressed("instance");

        List<CompletableFuture<HttpResponse<String>>> readers = IntStream.range(0, 100).mapToObj(n -> get(id)).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> suppressed("instance") - sharedBefore == 99);
        database.open();

        assertThat(readers).allSatisfy(reader -> assertThat(reader.get().statusCode()).isEqualTo(200));
        assertThat(database.reads.get() - readsBefore).isEqualTo(1);
        assertThat(cachedVersion(id)).isEqualTo("1");
    }

    @Test
    void anotherInstanceWaitsForTheLeaseHoldersFillInsteadOfReadingPostgres() throws Exception {
        String id = rows.page("https://races.example/leased", "Leased", "<p>l</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
        SimpleMeterRegistry otherMeters = new SimpleMeterRegistry();
        PageReads otherInstance = new PageReads(new PageCache(reactiveRedis.getConnectionFactory(), keys, new RedisGuard(properties, otherMeters), properties, otherMeters),
                database, otherMeters);
        database.close();
        int readsBefore = database.reads.get();

        CompletableFuture<HttpResponse<String>> leaseHolder = get(id);
        await().until(() -> database.reads.get() == readsBefore + 1);
        CompletableFuture<PageReads.Read> waiting = otherInstance.read(id).toFuture();
        await().until(() -> otherMeters.counter("sluice.api.cache.stampede.suppressed", "kind", "page", "scope", "lease").count() == 1);
        database.open();

        assertThat(leaseHolder.get().statusCode()).isEqualTo(200);
        assertThat(waiting.get().page().version()).isEqualTo(1);
        assertThat(waiting.get().source().tag()).as("it read the holder's fill").isEqualTo("cache");
        assertThat(database.reads.get() - readsBefore).isEqualTo(1);
        assertThat(redis.hasKey(keys.pageLease(id))).as("the lease is released with the fill").isFalse();
    }

    @Test
    void aReadWithATokenNeverSharesAMissThatStartedBeforeItsWriteWasApplied() throws Exception {
        String id = rows.page("https://races.example/token", "v1", "<p>one</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
        database.close();
        int readsBefore = database.reads.get();
        double sharedBefore = suppressed("instance");

        CompletableFuture<HttpResponse<String>> staleMiss = get(id);
        await().until(() -> database.reads.get() == readsBefore + 1); // it has read version 1, and is held

        rows.update("UPDATE pages SET title = 'v2', version = 2 WHERE id = ?", id); // the worker applies a write ...
        String token = tokens.issue(ConsistencyToken.of(Map.of(3, 41L)));
        redis.opsForHash().put(keys.appliedPositions(topics.pages().name()), "3", "42"); // ... and publishes its position

        CompletableFuture<HttpResponse<String>> tokenRead = getWithToken(id, token);
        await().until(() -> database.reads.get() == readsBefore + 2 || suppressed("instance") > sharedBefore);
        database.open();

        assertThat(staleMiss.get().headers().firstValue("ETag")).contains("\"1\"");
        HttpResponse<String> answer = tokenRead.get();
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("ETag")).as("read-your-writes: the token's read saw the write").contains("\"2\"");
        assertThat(suppressed("instance")).as("it did not join the miss that started before the write").isEqualTo(sharedBefore);
    }

    @Test
    void tokenReadsOfOnePageAfterTheWriteShareOneDatabaseRead() throws Exception {
        String id = rows.page("https://races.example/token-hot", "v1", "<p>one</p>", Instant.parse("2026-11-20T10:00:00Z"), 1);
        String token = tokens.issue(ConsistencyToken.of(Map.of(4, 7L)));
        redis.opsForHash().put(keys.appliedPositions(topics.pages().name()), "4", "8");
        database.close();
        int readsBefore = database.reads.get();
        double sharedBefore = suppressed("instance");

        CompletableFuture<HttpResponse<String>> first = getWithToken(id, token);
        await().until(() -> database.reads.get() == readsBefore + 1);
        List<CompletableFuture<HttpResponse<String>>> later = IntStream.range(0, 20).mapToObj(n -> getWithToken(id, token)).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> suppressed("instance") - sharedBefore == 20);
        database.open();

        assertThat(first.get().statusCode()).isEqualTo(200);
        assertThat(later).allSatisfy(reader -> assertThat(reader.get().statusCode()).isEqualTo(200));
        assertThat(database.reads.get() - readsBefore).isEqualTo(1);
    }
}
