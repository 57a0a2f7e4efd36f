package dev.sluice.invalidator.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.cache.PageCacheProtocol;
import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.stats.SiteStats;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.cache.ConsistencyChecker;
import dev.sluice.store.schema.SchemaMigrator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.jdbc.core.JdbcTemplate;

/** Changes of pages, by the pipeline's rules or by hand, reach Redis through Debezium, cdc.pages and the topology. */
@SharedStackTest
@SpringBootTest(properties = {
        "sluice.topics.cdc-pages.name=cdc.pages.invalidation-it",
        "sluice.cdc.slot-name=sluice_cdc_invalidation_it",
        "sluice.cdc.offsets-topic=sluice.cdc.offsets.invalidation-it",
        "sluice.invalidator.application-id=invalidation-it",
        "sluice.invalidator.state-dir=target/streams-invalidation-it",
        "sluice.redis.key-prefix=invalidation-it:"})
class CacheInvalidationIT {

    static final String ID = "11112222333344445555666677778888";
    static JdbcTemplate db;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    @BeforeAll
    static void schema() {
        Connections connections = SharedStack.forTestClass(CacheInvalidationIT.class);
        PGSimpleDataSource dataSource = connections.dataSource();
        new SchemaMigrator(dataSource).migrate();
        db = new JdbcTemplate(dataSource);
    }

    boolean fill(long version, String payload) {
        Long stored = redis.execute(RedisScript.of(PageCacheProtocol.FILL, Long.class), List.of(keys.page(ID), keys.pageFence(ID)),
                Long.toString(version), payload, "600000");
        return stored != null && stored == 1;
    }

    @Test
    void theCheckerCountsEntriesThatDisagreeWithPostgres() throws Exception {
        String other = "99998888777766665555444433332222";
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                VALUES (?, 'https://redis.example/checked', 'redis.example', 't', '<p>x</p>', now(), 3, 0, 0)""", other);
        // the feed applies the insert first (it would drop the tampered entry below, rightly), then the entry is cached
        awaitTheFeedReading();
        await().atMost(Duration.ofSeconds(60)).until(() -> "3".equals(redis.opsForValue().get(keys.pageFence(other))));
        redis.opsForHash().put(keys.page(other), "v", "3");
        redis.opsForHash().put(keys.page(other), "d", "{}");
        assertThat(check().stale()).isZero();

        redis.opsForHash().put(keys.page(other), "v", "2"); // as if an invalidation had been lost
        ConsistencyChecker.Result result = check();
        assertThat(result.stale()).isEqualTo(1);
        assertThat(result.staleIds()).singleElement().asString().startsWith(other).contains("cached v2, database v3");
    }

    ConsistencyChecker.Result check() throws Exception {
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(SharedStack.connections().redisUrl());
        try (var connection = client.connect(); java.sql.Connection sql = db.getDataSource().getConnection()) {
            return new ConsistencyChecker(connection.sync(), keys).check(sql, 0, checked -> {});
        } finally {
            client.shutdown();
        }
    }

    static void awaitTheFeedReading() {
        await().atMost(Duration.ofSeconds(60)).until(() -> Boolean.TRUE.equals(db.query(
                "SELECT active FROM pg_replication_slots WHERE slot_name = 'sluice_cdc_invalidation_it'",
                result -> result.next() ? result.getBoolean(1) : null)));
    }

    @Test
    void siteStatisticsAddUpEveryChangeOfTheSite() {
        awaitTheFeedReading();
        for (int n = 1; n <= 3; n++) {
            db.update("""
                    INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                    VALUES (?, ?, 'stats.example', 't', '<p>x</p>', ?::timestamptz, 1, 0, 0)""",
                    "5747a75000000000000000000000000" + n, "https://stats.example/" + n, "2026-11-20T10:0" + n + ":00Z");
        }
        db.update("UPDATE pages SET deleted_at = now(), version = 2 WHERE id = ?", "5747a750000000000000000000000001"); // a tombstone
        db.update("DELETE FROM pages WHERE id = ?", "5747a750000000000000000000000002"); // by hand: the event names only the id

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String json = redis.opsForValue().get(keys.siteStats("stats.example"));
            assertThat(json).isNotNull();
            SiteStats stats = SiteStats.fromJson(json);
            assertThat(stats.pages()).as("three inserted, one tombstoned, one deleted").isEqualTo(1);
            assertThat(stats.changesPerMinute().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
            assertThat(stats.lastFetchedAt()).isEqualTo(Instant.parse("2026-11-20T10:03:00Z"));
        });
    }

    @Test
    void updatesAndDeletesByHandReachRedis() {
        awaitTheFeedReading();

        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                VALUES (?, 'https://redis.example/a', 'redis.example', 'v1', '<p>x</p>', now(), 1, 0, 0)""", ID);
        await().atMost(Duration.ofSeconds(30)).until(() -> "1".equals(redis.opsForValue().get(keys.pageFence(ID))));
        assertThat(fill(1, "page v1")).isTrue();
        String generation = redis.opsForValue().get(keys.siteGeneration("redis.example"));
        assertThat(generation).isNotNull();

        db.update("UPDATE pages SET title = 'v2', version = 2 WHERE id = ?", ID);
        await().atMost(Duration.ofSeconds(30)).until(() -> "2".equals(redis.opsForValue().get(keys.pageFence(ID))));
        assertThat(redis.hasKey(keys.page(ID))).as("the v1 entry is dropped").isFalse();
        assertThat(fill(1, "page v1, read before the update")).as("no stale set").isFalse();
        assertThat(Long.parseLong(redis.opsForValue().get(keys.siteGeneration("redis.example")))).isGreaterThan(Long.parseLong(generation));
        assertThat(fill(2, "page v2")).isTrue();

        redis.execute((RedisCallback<Void>) connection -> {
            connection.scriptingCommands().scriptFlush(); // as after a Redis restart: the invalidator's script is forgotten
            return null;
        });
        db.update("DELETE FROM pages WHERE id = ?", ID);
        await().atMost(Duration.ofSeconds(30)).until(() -> !redis.hasKey(keys.page(ID)));
        assertThat(fill(2, "page v2, read before the delete")).isFalse();
    }
}
