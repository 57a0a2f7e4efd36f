package dev.sluice.store.bodies;

import dev.sluice.core.page.StoredBody;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows that still hold their body as text (written before schema 13, or by a worker told to store text), and
 * moving them to compressed frames a batch at a time. Nothing a reader sees changes: not the body, the version (the
 * triggers of V9 and V11 leave such a move alone, see V13), nor the order of {@code /v1/changes}; Debezium's change
 * stream does carry each moved row, which the cache invalidator takes as a same-version no-op. A row written
 * meanwhile (its version moved) is left as it is: its writer decided.
 */
public final class TextBodies {

    private static final String COUNT = """
            SELECT count(*), coalesce(sum(pg_column_size(body)), 0), coalesce(sum(octet_length(body)), 0) FROM pages WHERE body IS NOT NULL""";

    private static final String NEXT = "SELECT id, version, body FROM pages WHERE id > ? AND body IS NOT NULL ORDER BY id LIMIT ?";

    private static final String COMPRESS = """
            UPDATE pages p SET body = NULL, body_zstd = x.frame
            FROM unnest(?::text[], ?::bigint[], ?::bytea[]) AS x(id, version, frame)
            WHERE p.id = x.id AND p.version = x.version AND p.body IS NOT NULL
            RETURNING p.id""";

    /** @param rows rows with a text body; {@code storedBytes} what they take on disk, {@code textBytes} their UTF-8 */
    public record Census(long rows, long storedBytes, long textBytes) {}

    /**
     * One batch: {@code lastId} the key to go on after (null when there was nothing left), {@code compressed} rows
     * moved, {@code skipped} rows written meanwhile, {@code textBytes} and {@code frameBytes} before and after.
     */
    public record Batch(String lastId, int compressed, int skipped, long textBytes, long frameBytes) {}

    private TextBodies() {}

    public static Census census(Connection db) throws SQLException {
        try (PreparedStatement count = db.prepareStatement(COUNT); ResultSet row = count.executeQuery()) {
            row.next();
            return new Census(row.getLong(1), row.getLong(2), row.getLong(3));
        }
    }

    /** Compresses the next {@code limit} text bodies after {@code afterId} ("" to start) in one transaction. */
    public static Batch compressNext(Connection db, String afterId, int limit) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            List<String> ids = new ArrayList<>(limit);
            List<Long> versions = new ArrayList<>(limit);
            List<byte[]> frames = new ArrayList<>(limit);
            Map<String, Integer> textSizes = new HashMap<>();
            Map<String, Integer> frameSizes = new HashMap<>();
            try (PreparedStatement next = db.prepareStatement(NEXT); StoredBody.Compressor compressor = StoredBody.compressor()) {
                next.setString(1, afterId);
                next.setInt(2, limit);
                try (ResultSet rows = next.executeQuery()) {
                    while (rows.next()) {
                        String id = rows.getString(1);
                        String body = rows.getString(3);
                        byte[] frame = compressor.compress(body);
                        ids.add(id);
                        versions.add(rows.getLong(2));
                        frames.add(frame);
                        textSizes.put(id, body.getBytes(StandardCharsets.UTF_8).length);
                        frameSizes.put(id, frame.length);
                    }
                }
            }
            if (ids.isEmpty()) {
                db.commit();
                return new Batch(null, 0, 0, 0, 0);
            }
            int compressed = 0;
            long textBytes = 0;
            long frameBytes = 0;
            try (PreparedStatement compress = db.prepareStatement(COMPRESS)) {
                compress.setArray(1, db.createArrayOf("text", ids.toArray()));
                compress.setArray(2, db.createArrayOf("int8", versions.toArray()));
                compress.setArray(3, db.createArrayOf("bytea", frames.toArray(new byte[0][])));
                try (ResultSet moved = compress.executeQuery()) {
                    while (moved.next()) {
                        String id = moved.getString(1);
                        compressed++;
                        textBytes += textSizes.get(id);
                        frameBytes += frameSizes.get(id);
                    }
                }
            }
            db.commit();
            return new Batch(ids.get(ids.size() - 1), compressed, ids.size() - compressed, textBytes, frameBytes);
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }
}
