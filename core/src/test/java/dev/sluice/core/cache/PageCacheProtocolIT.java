package dev.sluice.core.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStackTest;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The page cache protocol against a real Redis, with the races written out step by step: a reader's fill never
 * puts back a version older than one the invalidator has already seen.
 */
@SharedStackTest
class PageCacheProtocolIT {

    static final long TTL = 60_000;

    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisCommands<String, String> redis;
    final RedisKeys keys = new RedisKeys("test-" + UUID.randomUUID() + ":");
    final String id = "0123456789abcdef0123456789abcdef";

    @BeforeEach
    void connect(Connections connections) {
        client = RedisClient.create(connections.redisUrl());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void close() {
        connection.close();
        client.shutdown();
    }

    long fill(long version, String payload) {
        return redis.eval(PageCacheProtocol.FILL, ScriptOutputType.INTEGER, new String[] {keys.page(id), keys.pageFence(id)},
                Long.toString(version), payload, Long.toString(TTL));
    }

    long invalidate(long version) {
        return redis.eval(PageCacheProtocol.INVALIDATE, ScriptOutputType.INTEGER, new String[] {keys.page(id), keys.pageFence(id)},
                Long.toString(version), Long.toString(PageCacheProtocol.FENCE_TTL.toMillis()));
    }

    String cached() {
        return redis.hget(keys.page(id), "d");
    }

    @Test
    void aFillIsStoredWithItsVersion() {
        assertThat(fill(3, "v3")).isEqualTo(1);
        assertThat(cached()).isEqualTo("v3");
        assertThat(redis.pttl(keys.page(id))).isPositive();
    }

    @Test
    void aSlowReaderCannotPutBackAVersionOlderThanAnInvalidatedOne() {
        fill(1, "v1");
        // reader A loads v1 from PostgreSQL, then stalls; meanwhile the page changes to v2 and is invalidated
        assertThat(invalidate(2)).isEqualTo(1);
        assertThat(cached()).isNull();
        // A wakes up and tries to fill with what it read: refused
        assertThat(fill(1, "v1 (stale)")).isZero();
        assertThat(cached()).isNull();
        // a reader that loads v2 fills
        assertThat(fill(2, "v2")).isEqualTo(1);
        assertThat(cached()).isEqualTo("v2");
    }

    @Test
    void aNotFoundReadBeforeAnInsertCannotHideTheInsertedPage() {
        // reader A finds no row (version 0) and stalls; the page is inserted (version 1) and invalidated
        invalidate(1);
        assertThat(fill(0, "")).as("the 404 of before the insert").isZero();
        assertThat(fill(1, "v1")).isEqualTo(1);
    }

    @Test
    void aCachedNotFoundIsClearedByTheInsert() {
        assertThat(fill(0, "")).isEqualTo(1);
        assertThat(invalidate(1)).isEqualTo(1);
        assertThat(redis.exists(keys.page(id))).isZero();
    }

    @Test
    void anOlderFillNeverReplacesANewerEntry() {
        fill(5, "v5");
        assertThat(fill(4, "v4")).isZero();
        assertThat(cached()).isEqualTo("v5");
    }

    @Test
    void anInvalidationOlderThanTheEntryKeepsIt() {
        fill(5, "v5");
        assertThat(invalidate(4)).isZero(); // a late, older change event
        assertThat(cached()).isEqualTo("v5");
        assertThat(redis.get(keys.pageFence(id))).isEqualTo("4");
    }

    @Test
    void aRowDeletedByHandFencesOffEveryVersionForAWhile() {
        fill(7, "v7");
        invalidate(PageCacheProtocol.UNVERSIONED_DELETE_FENCE);
        assertThat(cached()).isNull();
        assertThat(fill(7, "v7 read before the delete")).isZero();
    }
}
