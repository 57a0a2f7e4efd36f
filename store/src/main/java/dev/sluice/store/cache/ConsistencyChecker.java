package dev.sluice.store.cache;

import dev.sluice.core.cache.RedisKeys;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Compares cached page entries with PostgreSQL: an entry is stale when the version it was cached at is not the
 * page's current version ({@code pages.version}, the tombstone's for a deleted page, 0 for a missing row). Once
 * writes stop, every entry must agree within the invalidation lag; tests and benchmarks count on it.
 */
public final class ConsistencyChecker {

    /** @param staleIds up to 20 of them, for a human to look at */
    public record Result(long checked, long stale, List<String> staleIds) {}

    private static final int BATCH = 500;

    private final RedisCommands<String, String> redis;
    private final RedisKeys keys;

    public ConsistencyChecker(RedisCommands<String, String> redis, RedisKeys keys) {
        this.redis = redis;
        this.keys = keys;
    }

    /**
     * @param limit most entries to check (a sample, in Redis's scan order), or 0 for all
     * @param progress told the running count of checked entries after each batch
     */
    public Result check(Connection db, long limit, LongConsumer progress) throws SQLException {
        String prefix = keys.page("");
        String pattern = prefix.substring(0, prefix.length() - 2) + "{*}";
        long checked = 0;
        long stale = 0;
        List<String> staleIds = new ArrayList<>();
        ScanCursor cursor = ScanCursor.INITIAL;
        List<String> pending = new ArrayList<>(BATCH);
        do {
            KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(pattern).limit(BATCH));
            for (String key : page.getKeys()) {
                if (limit > 0 && checked + pending.size() >= limit) {
                    break;
                }
                pending.add(key);
            }
            if (pending.size() >= BATCH || page.isFinished() || (limit > 0 && checked + pending.size() >= limit)) {
                long[] counts = compare(db, pending, staleIds);
                checked += counts[0];
                stale += counts[1];
                pending.clear();
                progress.accept(checked);
            }
            cursor = page;
        } while (!cursor.isFinished() && (limit == 0 || checked < limit));
        return new Result(checked, stale, staleIds);
    }

    private long[] compare(Connection db, List<String> entryKeys, List<String> staleIds) throws SQLException {
        Map<String, Long> cached = new HashMap<>();
        for (String key : entryKeys) {
            String version = redis.hget(key, "v");
            if (version != null) { // expired or invalidated between the scan and now: nothing cached, nothing stale
                cached.put(key.substring(key.indexOf('{') + 1, key.indexOf('}')), Long.parseLong(version));
            }
        }
        if (cached.isEmpty()) {
            return new long[] {0, 0};
        }
        Map<String, Long> current = new HashMap<>();
        try (PreparedStatement query = db.prepareStatement("SELECT id, version FROM pages WHERE id = ANY(?)")) {
            query.setArray(1, db.createArrayOf("text", cached.keySet().toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    current.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        long stale = 0;
        for (Map.Entry<String, Long> entry : cached.entrySet()) {
            if (!entry.getValue().equals(current.getOrDefault(entry.getKey(), 0L))) {
                stale++;
                if (staleIds.size() < 20) {
                    staleIds.add(entry.getKey() + " (cached v" + entry.getValue() + ", database v" + current.getOrDefault(entry.getKey(), 0L) + ")");
                }
            }
        }
        return new long[] {cached.size(), stale};
    }
}
