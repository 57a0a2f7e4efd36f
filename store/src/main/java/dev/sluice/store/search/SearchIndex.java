package dev.sluice.store.search;

import dev.sluice.core.page.StoredBody;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Brings {@code page_search} up to date with the current rows of changed pages, in one transaction per batch,
 * set-based. Idempotent (it indexes what {@code pages} holds now, fenced by version), so redelivered or replayed
 * change events change nothing.
 *
 * <ul>
 *   <li>a live page whose content changed is (re)extracted and indexed;
 *   <li>a live page whose content did not change (an unchanged re-crawl) only has its fetch time and version moved:
 *       its body is not even read;
 *   <li>a tombstoned or vanished page leaves the index.
 * </ul>
 */
public final class SearchIndex {

    private static final String READ = """
            SELECT p.id, p.site, p.url, p.title, p.content_type, p.fetched_at, p.version, p.deleted_at IS NOT NULL, p.content_hash,
                   s.id IS NOT NULL AND s.content_hash = p.content_hash AS unchanged,
                   CASE WHEN s.id IS NULL OR s.content_hash IS DISTINCT FROM p.content_hash THEN p.body END AS body,
                   CASE WHEN s.id IS NULL OR s.content_hash IS DISTINCT FROM p.content_hash THEN p.body_zstd END AS body_zstd
            FROM pages p LEFT JOIN page_search s ON s.id = p.id
            WHERE p.id = ANY(?)""";

    /** Pages sharing a block with the one indexed, looked at for its duplicate: a bound on one page's cost. */
    static final int MAX_CANDIDATES = 200;

    /**
     * A page of the same site already indexed within {@link Simhash#NEAR} bits of {@code t.simhash}, if any: the
     * candidates share a 16-bit block with it (the GIN index over the blocks; seq scans are off in the indexer's
     * transaction, see {@link #apply}), at most {@link #MAX_CANDIDATES} of them, and the distance decides. Without
     * both, a site whose pages share blocks (templates, or pages of one text) made the planner scan the whole table
     * for every page indexed: 7 ms per page at 50,000 rows, growing with the table.
     */
    private static final String INDEXED_DUPLICATE = """
            (SELECT c.id FROM (SELECT o.id, o.site, o.simhash FROM page_search o
                               WHERE t.simhash IS NOT NULL AND o.simhash_blocks && simhash_blocks(t.simhash) LIMIT %d) c
             WHERE c.site = t.site AND c.id <> t.id AND simhash_distance(c.simhash, t.simhash) <= %d
             LIMIT 1)""".formatted(MAX_CANDIDATES, Simhash.NEAR);

    private static final String INDEX = """
            INSERT INTO page_search (id, site, url, fetched_at, title, content, document, page_version, content_hash, indexed_at,
                                     simhash, duplicate_of)
            SELECT id, site, url, fetched_at, title, content,
                   setweight(to_tsvector(?::regconfig, coalesce(title, '')), 'A') || setweight(to_tsvector(?::regconfig, content), 'B'),
                   version, content_hash, now(), simhash, coalesce(duplicate_in_batch, %s)
            FROM unnest(?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::text[], ?::bigint[], ?::bytea[],
                        ?::bigint[], ?::text[])
                AS t(id, site, url, fetched_at, title, content, version, content_hash, simhash, duplicate_in_batch)
            ON CONFLICT (id) DO UPDATE SET
                site = excluded.site, url = excluded.url, fetched_at = excluded.fetched_at, title = excluded.title,
                content = excluded.content, document = excluded.document, page_version = excluded.page_version,
                content_hash = excluded.content_hash, indexed_at = now(), simhash = excluded.simhash,
                duplicate_of = excluded.duplicate_of
            WHERE page_search.page_version < excluded.page_version""".formatted(INDEXED_DUPLICATE);

    /** Fingerprints of entries indexed before fingerprints existed (V12), from the text they hold. */
    private static final String UNFINGERPRINTED = """
            SELECT id, site, content FROM page_search WHERE id = ANY(?) AND simhash IS NULL""";

    private static final String FINGERPRINT = """
            UPDATE page_search s SET simhash = t.simhash, duplicate_of = coalesce(t.duplicate_in_batch, %s)
            FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[]) AS t(id, site, simhash, duplicate_in_batch)
            WHERE s.id = t.id""".formatted(INDEXED_DUPLICATE);

    private static final String TOUCH = """
            UPDATE page_search s SET fetched_at = t.fetched_at, page_version = t.version, indexed_at = now()
            FROM unnest(?::text[], ?::timestamptz[], ?::bigint[]) AS t(id, fetched_at, version)
            WHERE s.id = t.id AND s.page_version < t.version""";

    private static final String REMOVE = """
            DELETE FROM page_search s USING unnest(?::text[], ?::bigint[]) AS t(id, version)
            WHERE s.id = t.id AND (t.version IS NULL OR s.page_version < t.version)
            RETURNING s.site""";

    /**
     * What one batch did.
     *
     * @param sites the sites whose search results may have changed
     */
    public record Outcome(int indexed, int touched, int removed, Set<String> sites) {}

    private final DataSource dataSource;
    private final String textSearchConfig;
    private final boolean nearDuplicates;

    /** @param nearDuplicates whether to fingerprint the texts ({@link Simhash}) and mark near-duplicates of a site */
    public SearchIndex(DataSource dataSource, String textSearchConfig, boolean nearDuplicates) {
        this.dataSource = dataSource;
        this.textSearchConfig = textSearchConfig;
        this.nearDuplicates = nearDuplicates;
    }

    public Outcome apply(Collection<String> ids) throws SQLException {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                Outcome outcome = apply(db, ids);
                db.commit();
                return outcome;
            } catch (SQLException | RuntimeException e) {
                db.rollback();
                throw e;
            }
        }
    }

    private Outcome apply(Connection db, Collection<String> ids) throws SQLException {
        List<Object[]> index = new ArrayList<>();
        List<Object[]> touch = new ArrayList<>();
        List<Object[]> remove = new ArrayList<>();
        Set<String> found = new HashSet<>();
        Set<String> sites = new HashSet<>();
        try (PreparedStatement read = db.prepareStatement(READ)) {
            read.setArray(1, db.createArrayOf("text", ids.toArray()));
            try (ResultSet rows = read.executeQuery()) {
                while (rows.next()) {
                    String id = rows.getString(1);
                    found.add(id);
                    sites.add(rows.getString(2));
                    long version = rows.getLong(7);
                    if (rows.getBoolean(8)) {
                        remove.add(new Object[] {id, version});
                    } else if (rows.getBoolean(10)) {
                        touch.add(new Object[] {id, rows.getString(6), version});
                    } else {
                        PageText text = PageText.extract(rows.getString(4), StoredBody.text(rows.getString(11), rows.getBytes(12)), rows.getString(5));
                        index.add(new Object[] {id, rows.getString(2), rows.getString(3), rows.getString(6), text.title(),
                                text.content(), version, rows.getBytes(9), nearDuplicates ? Simhash.of(text.content()) : null, null});
                    }
                }
            }
        }
        for (String id : ids) {
            if (!found.contains(id)) {
                remove.add(new Object[] {id, null}); // deleted from pages by hand: no version to fence with
            }
        }
        if (!index.isEmpty()) {
            if (nearDuplicates) {
                markDuplicatesInBatch(index, 1, 8, 9);
                indexScansOnly(db);
            }
            try (PreparedStatement statement = db.prepareStatement(INDEX)) {
                statement.setString(1, textSearchConfig);
                statement.setString(2, textSearchConfig);
                for (int column = 0; column < 6; column++) {
                    statement.setArray(3 + column, db.createArrayOf("text", column(index, column, new String[index.size()])));
                }
                statement.setArray(9, db.createArrayOf("int8", column(index, 6, new Long[index.size()])));
                statement.setArray(10, db.createArrayOf("bytea", column(index, 7, new byte[index.size()][])));
                statement.setArray(11, db.createArrayOf("int8", column(index, 8, new Long[index.size()])));
                statement.setArray(12, db.createArrayOf("text", column(index, 9, new String[index.size()])));
                statement.executeUpdate();
            }
        }
        if (!touch.isEmpty()) {
            try (PreparedStatement statement = db.prepareStatement(TOUCH)) {
                statement.setArray(1, db.createArrayOf("text", column(touch, 0, new String[touch.size()])));
                statement.setArray(2, db.createArrayOf("text", column(touch, 1, new String[touch.size()])));
                statement.setArray(3, db.createArrayOf("int8", column(touch, 2, new Long[touch.size()])));
                statement.executeUpdate();
            }
        }
        if (!remove.isEmpty()) {
            try (PreparedStatement statement = db.prepareStatement(REMOVE)) {
                statement.setArray(1, db.createArrayOf("text", column(remove, 0, new String[remove.size()])));
                statement.setArray(2, db.createArrayOf("int8", column(remove, 1, new Long[remove.size()])));
                try (ResultSet removed = statement.executeQuery()) {
                    while (removed.next()) {
                        sites.add(removed.getString(1)); // also the sites of rows deleted by hand, which pages no longer names
                    }
                }
            }
        }
        return new Outcome(index.size(), touch.size(), remove.size(), sites);
    }

    /**
     * Fingerprints entries that have none (indexed before V12), from their stored text; returns how many.
     * Idempotent: an entry fingerprinted meanwhile is left as it is.
     */
    public int fingerprint(Collection<String> ids) throws SQLException {
        if (!nearDuplicates) {
            return 0;
        }
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            List<Object[]> rows = new ArrayList<>();
            try (PreparedStatement read = db.prepareStatement(UNFINGERPRINTED)) {
                read.setArray(1, db.createArrayOf("text", ids.toArray()));
                try (ResultSet found = read.executeQuery()) {
                    while (found.next()) {
                        rows.add(new Object[] {found.getString(1), found.getString(2), Simhash.of(found.getString(3)), null});
                    }
                }
            }
            if (!rows.isEmpty()) {
                markDuplicatesInBatch(rows, 1, 2, 3);
                indexScansOnly(db);
                try (PreparedStatement update = db.prepareStatement(FINGERPRINT)) {
                    update.setArray(1, db.createArrayOf("text", column(rows, 0, new String[rows.size()])));
                    update.setArray(2, db.createArrayOf("text", column(rows, 1, new String[rows.size()])));
                    update.setArray(3, db.createArrayOf("int8", column(rows, 2, new Long[rows.size()])));
                    update.setArray(4, db.createArrayOf("text", column(rows, 3, new String[rows.size()])));
                    update.executeUpdate();
                }
            }
            db.commit();
            return rows.size();
        }
    }

    /**
     * For the rest of the transaction: the duplicate probe through the GIN index, whatever the statistics say (every
     * other statement of the indexer reads by primary key anyway).
     */
    private static void indexScansOnly(Connection db) throws SQLException {
        try (Statement set = db.createStatement()) {
            set.execute("SET LOCAL enable_seqscan = off");
        }
    }

    /**
     * Near-duplicates within one batch (the statement does not see its own rows): a page within {@link Simhash#NEAR}
     * bits of an earlier page of the batch on the same site is marked a duplicate of it.
     */
    private static void markDuplicatesInBatch(List<Object[]> rows, int site, int simhash, int duplicateOf) {
        for (int j = 1; j < rows.size(); j++) {
            Object[] later = rows.get(j);
            for (int i = 0; i < j && later[simhash] != null; i++) {
                Object[] earlier = rows.get(i);
                if (earlier[simhash] != null && earlier[site].equals(later[site])
                        && Simhash.distance((Long) earlier[simhash], (Long) later[simhash]) <= Simhash.NEAR) {
                    later[duplicateOf] = earlier[0];
                    break;
                }
            }
        }
    }

    /** One column of the rows, in a typed array (pgjdbc picks the array encoding by the Java array type). */
    private static <T> T[] column(List<Object[]> rows, int column, T[] values) {
        for (int i = 0; i < values.length; i++) {
            @SuppressWarnings("unchecked")
            T value = (T) rows.get(i)[column];
            values[i] = value;
        }
        return values;
    }
}
