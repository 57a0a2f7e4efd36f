package dev.sluice.cli.shadow;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A shadow of {@code pages} for the Kappa pattern: a replay rebuilds the table from the topic, {@link #diff} tells
 * how it differs from the live table, and {@link #swap} makes the live table agree with it in one transaction.
 *
 * <p>The swap changes rows of {@code pages} rather than renaming tables: every change then flows through change
 * data capture like any other (the cache and the search index follow, versions move, caches stay fenced), the
 * live workers keep writing throughout, and nothing that arrived after the replay is lost. A live row counts as
 * <em>covered</em> by the replay when the write it reflects lies in the range the replay read on its partition,
 * from where it began ({@code --from}, or the log's start once retention trimmed it) to its position; only
 * covered rows are changed or removed. Rows the live workers wrote since are newer, rows older than the range are
 * outside what the shadow can know: both are kept.
 */
public final class ShadowTable {

    private static final Pattern NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    /** The comment that marks a table as a shadow: only such a table is diffed, swapped or dropped. */
    static final String MARK = "sluice shadow of pages";

    /** The content a reader sees; {@code version}, times of the row and source positions are bookkeeping. */
    private static final String CONTENT = "url, site, title, body, body_zstd, content_type, status, fetched_at, metadata, content_hash, deleted_at";
    private static final String COLUMNS = CONTENT + ", version, source_partition, source_offset";

    /** The live row {@code l} reflects a write in the range the replay read (a range whose start is unknown covers nothing). */
    private static final String COVERED = """
            EXISTS (SELECT 1 FROM consumer_positions c WHERE c.consumer_group = ? AND c.topic = ?
                     AND c.partition = l.source_partition AND l.source_offset >= c.first_offset AND l.source_offset < c.next_offset)""";

    /** The live row {@code l} reflects a write the replay had not reached: the live workers wrote it since. */
    private static final String NEWER = """
            EXISTS (SELECT 1 FROM consumer_positions c WHERE c.consumer_group = ? AND c.topic = ?
                     AND c.partition = l.source_partition AND l.source_offset >= c.next_offset)""";

    /**
     * What tells two rows apart for a reader. Bodies are compared as stored when both rows store them alike; a body
     * stored as text in one and compressed in the other (written before and after schema 13) is left to the content
     * hash, which stands for it.
     */
    private static final String COMPARED = "url, site, title, content_type, status, fetched_at, metadata, content_hash, deleted_at";

    private static final String DIFFERS = "((%s) IS DISTINCT FROM (%s) OR ((l.body IS NULL) = (s.body IS NULL) AND (l.body, l.body_zstd) IS DISTINCT FROM (s.body, s.body_zstd)))"
            .formatted(prefixed("l", COMPARED), prefixed("s", COMPARED));

    /**
     * How the shadow differs from the live table. Differences in live rows the replay does not cover are kept:
     * {@code keptNewerInLive} written after the replay, {@code keptOutside} older than its range (or on a partition
     * it did not read).
     */
    public record Diff(long added, long changed, long removed, long keptNewerInLive, long keptOutside, long unchanged) {}

    /** What the replay read on one partition: offsets {@code [first, next)}; {@code first} null if not recorded. */
    public record Coverage(int partition, Long first, long next) {}

    private final String table;
    private final String topic;

    public ShadowTable(String table, String topic) {
        if (!NAME.matcher(table).matches() || table.equals("pages")) {
            throw new IllegalArgumentException("a shadow table needs a plain name other than pages: " + table);
        }
        this.table = table;
        this.topic = topic;
    }

    public String name() {
        return table;
    }

    /** Where the replay into this table keeps its positions in {@code consumer_positions}. */
    public String group() {
        return "shadow:" + table;
    }

    /**
     * Creates the table with the columns, defaults, constraints and indexes of {@code pages}, marked as a shadow, if
     * it does not exist.
     *
     * @throws NotAShadowException if a table of that name exists and is not a shadow (one of the pipeline's own)
     */
    public void create(Connection db) throws SQLException {
        if (exists(db)) {
            requireShadow(db);
            return;
        }
        try (Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE " + table + " (LIKE pages INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES INCLUDING STORAGE)");
            statement.execute("COMMENT ON TABLE " + table + " IS '" + MARK + "'");
        }
    }

    /** Refused: a table that {@code sluice replay --into shadow} did not make is never diffed, swapped or dropped. */
    public static final class NotAShadowException extends IllegalStateException {
        NotAShadowException(String table) {
            super(table + " is not a shadow table (one made by 'sluice replay --into shadow' is marked so): it is left as it is");
        }
    }

    /** @throws NotAShadowException unless the table carries the shadow mark */
    public void requireShadow(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("SELECT obj_description(to_regclass(?), 'pg_class')")) {
            query.setString(1, table);
            try (ResultSet row = query.executeQuery()) {
                if (!row.next() || !MARK.equals(row.getString(1))) {
                    throw new NotAShadowException(table);
                }
            }
        }
    }

    /** How many rows the table holds. */
    public long rows(Connection db) throws SQLException {
        try (Statement statement = db.createStatement(); ResultSet row = statement.executeQuery("SELECT count(*) FROM " + table)) {
            row.next();
            return row.getLong(1);
        }
    }

    public boolean exists(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            query.setString(1, table);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return row.getBoolean(1);
            }
        }
    }

    public Diff diff(Connection db) throws SQLException {
        String sql = """
                SELECT count(*) FILTER (WHERE NOT in_live),
                       count(*) FILTER (WHERE in_live AND in_shadow AND covered AND differs),
                       count(*) FILTER (WHERE in_live AND NOT in_shadow AND NOT live_deleted AND covered),
                       count(*) FILTER (WHERE in_live AND NOT covered AND newer AND differs),
                       count(*) FILTER (WHERE in_live AND NOT covered AND NOT newer AND differs),
                       count(*) FILTER (WHERE in_live AND NOT differs)
                FROM (SELECT l.id IS NOT NULL AS in_live, s.id IS NOT NULL AS in_shadow, l.deleted_at IS NOT NULL AS live_deleted,
                             %s AS covered, %s AS newer,
                             CASE WHEN s.id IS NULL THEN l.deleted_at IS NULL ELSE %s END AS differs
                      FROM pages l FULL JOIN %s s ON s.id = l.id) AS x""".formatted(COVERED, NEWER, DIFFERS, table);
        try (PreparedStatement query = db.prepareStatement(sql)) {
            query.setString(1, group());
            query.setString(2, topic);
            query.setString(3, group());
            query.setString(4, topic);
            try (ResultSet row = query.executeQuery()) {
                row.next();
                return new Diff(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4), row.getLong(5), row.getLong(6));
            }
        }
    }

    /** The range the replay read on each partition, as recorded with its progress. */
    public List<Coverage> coverage(Connection db) throws SQLException {
        try (PreparedStatement query = db.prepareStatement("""
                SELECT partition, first_offset, next_offset FROM consumer_positions
                WHERE consumer_group = ? AND topic = ? ORDER BY partition""")) {
            query.setString(1, group());
            query.setString(2, topic);
            List<Coverage> ranges = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    long first = rows.getLong(2);
                    ranges.add(new Coverage(rows.getInt(1), rows.wasNull() ? null : first, rows.getLong(3)));
                }
            }
            return ranges;
        }
    }

    /**
     * Makes {@code pages} agree with the shadow in one transaction: inserts the added pages, rewrites the changed
     * ones (their version moves), tombstones the removed ones; live rows the replay does not cover are kept.
     *
     * <p>A tombstone takes the time of the fetch it removes, not the swap's: the live workers keep applying writes
     * accepted before the swap (they sit in Kafka beyond the replay's position), and each must still win over
     * what the swap did if it is newer than the row the replay saw.
     */
    public Diff swap(Connection db) throws SQLException {
        boolean autoCommit = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            Diff before = diff(db);
            long added = update(db, """
                    INSERT INTO pages (id, %s) SELECT s.id, %s FROM %s s
                    WHERE NOT EXISTS (SELECT 1 FROM pages l WHERE l.id = s.id)
                    ON CONFLICT (id) DO NOTHING""".formatted(COLUMNS, prefixed("s", COLUMNS), table), false);
            long changed = update(db, """
                    UPDATE pages l SET (%s, source_partition, source_offset) = (%s, s.source_partition, s.source_offset)
                    FROM %s s WHERE s.id = l.id AND %s AND %s""".formatted(CONTENT, prefixed("s", CONTENT), table, DIFFERS, COVERED), true);
            long removed = update(db, """
                    UPDATE pages l SET deleted_at = l.fetched_at, title = NULL, body = NULL, body_zstd = NULL, content_type = NULL,
                                       status = NULL,
                                       metadata = '{}'::jsonb
                    WHERE l.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM %s s WHERE s.id = l.id) AND %s"""
                    .formatted(table, COVERED), true);
            db.commit();
            return new Diff(added, changed, removed, before.keptNewerInLive(), before.keptOutside(), before.unchanged());
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(autoCommit);
        }
    }

    private long update(Connection db, String sql, boolean covered) throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            if (covered) {
                statement.setString(1, group());
                statement.setString(2, topic);
            }
            return statement.executeLargeUpdate();
        }
    }

    /** Drops the table and its replay's positions. */
    public void drop(Connection db) throws SQLException {
        try (Statement statement = db.createStatement();
                PreparedStatement positions = db.prepareStatement("DELETE FROM consumer_positions WHERE consumer_group = ?")) {
            statement.execute("DROP TABLE IF EXISTS " + table);
            positions.setString(1, group());
            positions.executeUpdate();
        }
    }

    private static String prefixed(String alias, String columns) {
        return String.join(", ", java.util.Arrays.stream(columns.split(",\\s*")).map(c -> alias + "." + c).toList());
    }
}
