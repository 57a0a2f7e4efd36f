package dev.sluice.store.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The consumed positions of a group, in {@code consumer_positions}: the next offset to apply per partition, saved
 * in the same transaction as the rows. They never move backwards, so a worker that lost its partitions in a
 * rebalance and commits late cannot rewind the one that took them over.
 */
public final class Positions {

    private static final String LOAD = """
            SELECT partition, next_offset FROM consumer_positions
            WHERE consumer_group = ? AND topic = ? AND partition = ANY(?)""";
    private static final String SAVE = """
            INSERT INTO consumer_positions (consumer_group, topic, partition, next_offset, updated_at)
            SELECT ?, ?, p, o, now() FROM unnest(?::int[], ?::bigint[]) AS t(p, o)
            ON CONFLICT (consumer_group, topic, partition) DO UPDATE
                SET next_offset = excluded.next_offset, updated_at = now()
                WHERE consumer_positions.next_offset < excluded.next_offset""";

    private Positions() {}

    public static Map<Integer, Long> load(Connection db, String group, String topic, Collection<Integer> partitions) throws SQLException {
        Map<Integer, Long> positions = new HashMap<>();
        try (PreparedStatement query = db.prepareStatement(LOAD)) {
            query.setString(1, group);
            query.setString(2, topic);
            query.setArray(3, db.createArrayOf("int4", partitions.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    positions.put(rows.getInt(1), rows.getLong(2));
                }
            }
        }
        return positions;
    }

    static void save(Connection db, String group, String topic, Map<Integer, Long> nextOffsets) throws SQLException {
        try (PreparedStatement save = db.prepareStatement(SAVE)) {
            save.setString(1, group);
            save.setString(2, topic);
            save.setArray(3, db.createArrayOf("int4", nextOffsets.keySet().toArray()));
            save.setArray(4, db.createArrayOf("int8", nextOffsets.values().toArray()));
            save.executeUpdate();
        }
    }
}
