package dev.sluice.store.apply;

import dev.sluice.core.envelope.Op;
import dev.sluice.core.page.ContentHash;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.StoredBody;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Applies coalesced writes to {@code pages} (or a replay's shadow table of the same shape), set-based: arrays bound once, unnested in SQL. Almost every page of a
 * batch has one write; those go through one {@code INSERT … ON CONFLICT DO UPDATE … WHERE <fence>} (one index probe
 * per row, as cheap as a bare upsert). Pages with several changing writes in the batch take a second statement
 * that also counts them into the version. A third, nearly free, names tombstones of pages first seen as deletes.
 *
 * <ul>
 *   <li><b>Fencing.</b> A row changes only if the write is newer, by (ordering time, offset), than what the row
 *       reflects ({@code coalesce(deleted_at, fetched_at)}, {@code source_offset}): redelivery, replay and late
 *       arrivals change nothing.
 *   <li><b>Deletes</b> leave a tombstone ({@code deleted_at}, content cleared, url and site kept when known), so an
 *       older fetch arriving later cannot resurrect the page; a newer fetch does.
 *   <li><b>Unchanged re-crawls</b> (same content hash) keep the stored title, body and metadata: PostgreSQL then
 *       reuses the body's TOAST pointer instead of rewriting it. They move {@code fetched_at} (a fact users want:
 *       the page was seen again), the source position and the version; the search indexer skips them.
 *   <li><b>Repeats</b> (the same fetch of the same content again: a client's retry, a producer's duplicate)
 *       change nothing at all, not even the version or the source position.
 *   <li><b>Version</b> counts the writes that changed the page in arrival order ({@link CoalescedWrite}).
 *   <li><b>Bodies</b> are compressed here ({@link StoredBody}, into {@code body_zstd}) unless the writer stores text
 *       ({@link BodyStorage}); a changed page takes the new form, an unchanged one keeps whichever it has.
 * </ul>
 */
final class PagesWriter {

    /** The columns as the statements unnest them; {@code earlier} only in {@link #WITH_EARLIER_CHANGES}. */
    private static final String INCOMING = """
            unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::text[], ?::int[], ?::timestamptz[],
                   ?::jsonb[], ?::bytea[], ?::timestamptz[], ?::int[], ?::bigint[]%s)
                AS i(id, url, site, title, body, body_zstd, content_type, status, fetched_at, metadata, content_hash,
                     deleted_at, source_partition, source_offset%s)""";

    /**
     * What a newer write does to the row {@code p}, the write being {@code $.}: a delete clears the content; an
     * unchanged re-crawl keeps the stored content (and its TOAST pointers); anything else replaces it.
     */
    private static final String CHANGES = """
            url = coalesce($.url, p.url),
            site = coalesce($.site, p.site),
            title = CASE WHEN $.deleted_at IS NOT NULL THEN NULL
                         WHEN p.deleted_at IS NULL AND p.content_hash = $.content_hash THEN p.title ELSE $.title END,
            body = CASE WHEN $.deleted_at IS NOT NULL THEN NULL
                        WHEN p.deleted_at IS NULL AND p.content_hash = $.content_hash THEN p.body ELSE $.body END,
            body_zstd = CASE WHEN $.deleted_at IS NOT NULL THEN NULL
                             WHEN p.deleted_at IS NULL AND p.content_hash = $.content_hash THEN p.body_zstd ELSE $.body_zstd END,
            content_type = CASE WHEN $.deleted_at IS NOT NULL THEN NULL
                                WHEN p.deleted_at IS NULL AND p.content_hash = $.content_hash THEN p.content_type
                                ELSE $.content_type END,
            status = CASE WHEN $.deleted_at IS NOT NULL THEN NULL
                          WHEN p.deleted_at IS NULL AND p.content_hash = $.content_hash THEN p.status ELSE $.status END,
            metadata = CASE WHEN $.deleted_at IS NOT NULL THEN '{}'::jsonb
                            WHEN p.deleted_at IS NULL AND p.content_hash = $.content_hash THEN p.metadata
                            ELSE $.metadata END,
            content_hash = $.content_hash,
            fetched_at = CASE WHEN $.deleted_at IS NOT NULL THEN greatest($.fetched_at, coalesce(p.deleted_at, p.fetched_at))
                              ELSE $.fetched_at END,
            deleted_at = CASE WHEN $.deleted_at IS NOT NULL THEN greatest($.deleted_at, coalesce(p.deleted_at, p.fetched_at)) END,
            source_partition = $.source_partition,
            source_offset = $.source_offset,
            updated_at = now()""";

    /**
     * The write {@code $.} is newer than the row {@code p}, by (ordering time, offset); or it is a delete accepted
     * after the write the row reflects (see {@link PageWrite}), which then takes that write's time if later than its own.
     */
    private static final String NEWER = """
            ((coalesce($.deleted_at, $.fetched_at), $.source_offset) > (coalesce(p.deleted_at, p.fetched_at), p.source_offset)
             OR ($.deleted_at IS NOT NULL AND $.source_partition = p.source_partition AND $.source_offset > p.source_offset))""";

    /**
     * The earlier write {@code x.e} of the batch ({@code [time, offset, hash or null for a delete]}) is newer than
     * the row {@code p}, as {@link #NEWER} says (a page's writes in a batch share the winner's partition).
     */
    private static final String EARLIER_NEWER = """
            (((x.e->>0)::timestamptz, (x.e->>1)::bigint) > (coalesce(p.deleted_at, p.fetched_at), p.source_offset)
             OR (x.e->>2 IS NULL AND i.source_partition = p.source_partition AND (x.e->>1)::bigint > p.source_offset))""";

    /** The write {@code $.} says exactly what the row says: the same fetch of the same content. */
    private static final String REPEATS = "($.deleted_at IS NULL AND p.deleted_at IS NULL AND $.fetched_at = p.fetched_at AND $.content_hash = p.content_hash)";

    /** Pages with one changing write in the batch (almost all). Returns, per changed row, whether it is new. */
    static final String SINGLE = ("""
            INSERT INTO ${table} AS p (id, url, site, title, body, body_zstd, content_type, status, fetched_at, metadata, content_hash,
                                    deleted_at, source_partition, source_offset, version)
            SELECT i.id, i.url, i.site, i.title, i.body, i.body_zstd, i.content_type, i.status, i.fetched_at, coalesce(i.metadata, '{}'::jsonb),
                   i.content_hash, i.deleted_at, i.source_partition, i.source_offset, 1
            FROM %s
            ON CONFLICT (id) DO UPDATE SET
            %s,
                version = p.version + 1,
                change_xid = pg_current_xact_id()::text::bigint
            WHERE %s AND NOT %s
            RETURNING p.xmax = 0""").formatted(INCOMING.formatted("", ""), CHANGES.replace("$.", "excluded."),
            NEWER.replace("$.", "excluded."), REPEATS.replace("$.", "excluded."));

    /**
     * Pages with several changing writes in the batch: the winner's content, and a version that also counts the
     * earlier ones still newer than the row (the first of those excepted if it only repeats the row; later ones
     * never repeat their predecessor). {@code earlier} is {@code [["<time>", offset, "<hash hex>"|null], …]}.
     */
    static final String WITH_EARLIER_CHANGES = ("""
            WITH incoming AS (SELECT * FROM %s),
            updated AS (
                UPDATE ${table} p SET
            %s,
                    version = p.version + 1 + (
                        SELECT count(*) FILTER (WHERE NOT (later.n = later.first AND later.repeats_row))
                        FROM (SELECT x.n, min(x.n) OVER () AS first,
                                     p.deleted_at IS NULL AND (x.e->>0)::timestamptz = p.fetched_at
                                         AND x.e->>2 IS NOT DISTINCT FROM encode(p.content_hash, 'hex') AS repeats_row
                              FROM jsonb_array_elements(i.earlier) WITH ORDINALITY AS x(e, n)
                              WHERE ${earlier newer}) AS later),
                    change_xid = pg_current_xact_id()::text::bigint
                FROM incoming i
                WHERE p.id = i.id AND %s
                  -- an exact repeat of the row changes nothing, unless earlier writes of the batch changed it between
                  AND (NOT %s OR EXISTS (SELECT 1 FROM jsonb_array_elements(i.earlier) x(e) WHERE ${earlier newer}))
                RETURNING p.id
            ),
            inserted AS (
                INSERT INTO ${table} (id, url, site, title, body, body_zstd, content_type, status, fetched_at, metadata, content_hash,
                                   version, deleted_at, source_partition, source_offset)
                SELECT i.id, i.url, i.site, i.title, i.body, i.body_zstd, i.content_type, i.status, i.fetched_at,
                       coalesce(i.metadata, '{}'::jsonb), i.content_hash, 1 + jsonb_array_length(i.earlier),
                       i.deleted_at, i.source_partition, i.source_offset
                FROM incoming i
                WHERE NOT EXISTS (SELECT 1 FROM ${table} p WHERE p.id = i.id)
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            )
            SELECT false FROM updated UNION ALL SELECT true FROM inserted""").formatted(
            INCOMING.formatted(", ?::jsonb[]", ", earlier"), CHANGES.replace("$.", "i."), NEWER.replace("$.", "i."),
            REPEATS.replace("$.", "i.")).replace("${earlier newer}", EARLIER_NEWER);

    /**
     * A tombstone of a page first seen as a delete has no URL; any later write of the page, even one fenced off,
     * tells it. Cheap: the partial index over such rows is tiny.
     */
    static final String NAME_TOMBSTONES = """
            UPDATE ${table} p SET url = i.url, site = i.site
            FROM unnest(?::text[], ?::text[], ?::text[]) AS i(id, url, site)
            WHERE p.url IS NULL AND p.id = i.id""";

    /** How a batch changed the table; the rest was fenced off as older than (or the same as) what is stored. */
    record Outcome(int updated, int inserted, int fenced) {}

    /** A table the statements may name: {@code pages}, or a shadow table with its columns (replays). */
    private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final String single;
    private final String withEarlierChanges;
    private final String nameTombstones;
    private final BodyStorage bodies;

    PagesWriter(String table, BodyStorage bodies) {
        this.bodies = bodies;
        if (!TABLE_NAME.matcher(table).matches()) {
            throw new IllegalArgumentException("not a plain table name: " + table);
        }
        this.single = SINGLE.replace("${table}", table);
        this.withEarlierChanges = WITH_EARLIER_CHANGES.replace("${table}", table);
        this.nameTombstones = NAME_TOMBSTONES.replace("${table}", table);
    }

    /** Applies the writes, then the next round of the pages that have one (writes after a delete), and so on. */
    Outcome write(Connection db, List<CoalescedWrite> writes) throws SQLException {
        Outcome total = new Outcome(0, 0, 0);
        for (List<CoalescedWrite> round = writes; !round.isEmpty();
                round = round.stream().map(CoalescedWrite::then).filter(java.util.Objects::nonNull).toList()) {
            Outcome outcome = writeRound(db, round);
            total = new Outcome(total.updated() + outcome.updated(), total.inserted() + outcome.inserted(), total.fenced() + outcome.fenced());
        }
        return total;
    }

    private Outcome writeRound(Connection db, List<CoalescedWrite> writes) throws SQLException {
        List<CoalescedWrite> single = new ArrayList<>(writes.size());
        List<CoalescedWrite> several = new ArrayList<>();
        for (CoalescedWrite write : writes) {
            (write.earlierChanges().isEmpty() ? single : several).add(write);
        }
        int[] counts = new int[2];
        if (!single.isEmpty()) {
            execute(db, this.single, single, false, counts);
        }
        if (!several.isEmpty()) {
            execute(db, withEarlierChanges, several, true, counts);
        }
        nameTombstones(db, writes);
        return new Outcome(counts[0], counts[1], writes.size() - counts[0] - counts[1]);
    }

    /** Runs a statement that returns one boolean per changed row (inserted or updated) and counts them. */
    private void execute(Connection db, String sql, List<CoalescedWrite> writes, boolean withEarlier, int[] counts)
            throws SQLException {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            bind(db, statement, writes, withEarlier, bodies);
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    counts[result.getBoolean(1) ? 1 : 0]++;
                }
            }
        }
    }

    private void nameTombstones(Connection db, List<CoalescedWrite> writes) throws SQLException {
        List<CoalescedWrite> named = writes.stream().filter(write -> write.url() != null).toList();
        if (named.isEmpty()) {
            return;
        }
        String[] id = new String[named.size()];
        String[] url = new String[named.size()];
        String[] site = new String[named.size()];
        for (int i = 0; i < id.length; i++) {
            id[i] = named.get(i).winner().id();
            url[i] = named.get(i).url().normalized();
            site[i] = named.get(i).url().site();
        }
        try (PreparedStatement statement = db.prepareStatement(nameTombstones)) {
            statement.setArray(1, db.createArrayOf("text", id));
            statement.setArray(2, db.createArrayOf("text", url));
            statement.setArray(3, db.createArrayOf("text", site));
            statement.executeUpdate();
        }
    }

    /** Binds the writes as one array per column. */
    static void bind(Connection db, PreparedStatement statement, List<CoalescedWrite> writes, boolean withEarlier, BodyStorage bodies)
            throws SQLException {
        int n = writes.size();
        String[] id = new String[n];
        String[] url = new String[n];
        String[] site = new String[n];
        String[] title = new String[n];
        String[] body = new String[n];
        byte[][] bodyZstd = new byte[n][];
        String[] contentType = new String[n];
        Integer[] status = new Integer[n];
        String[] fetchedAt = new String[n];
        String[] metadata = new String[n];
        byte[][] contentHash = new byte[n][];
        String[] deletedAt = new String[n];
        Integer[] partition = new Integer[n];
        Long[] offset = new Long[n];
        String[] earlier = new String[n];
        // One compressor per batch (its native context reused for every body); none when bodies are stored as text.
        try (StoredBody.Compressor compressor = bodies == BodyStorage.ZSTD ? StoredBody.compressor() : null) {
            for (int i = 0; i < n; i++) {
                CoalescedWrite write = writes.get(i);
                PageWrite winner = write.winner();
                id[i] = winner.id();
                partition[i] = winner.partition();
                offset[i] = winner.offset();
                String at = winner.orderingTime().toString();
                fetchedAt[i] = at;
                if (write.url() != null) {
                    url[i] = write.url().normalized();
                    site[i] = write.url().site();
                }
                if (winner.envelope().op() == Op.DELETE) {
                    deletedAt[i] = at;
                } else {
                    Page page = winner.envelope().page();
                    title[i] = page.title();
                    if (compressor != null) {
                        byte[] utf8 = page.body() == null ? null : page.body().getBytes(StandardCharsets.UTF_8); // once, for both
                        bodyZstd[i] = compressor.compressUtf8(utf8);
                        contentHash[i] = ContentHash.of(page, utf8);
                    } else {
                        body[i] = page.body();
                        contentHash[i] = ContentHash.of(page);
                    }
                    contentType[i] = page.contentType();
                    status[i] = page.status();
                    metadata[i] = page.metadata().toString();
                }
                earlier[i] = earlierChanges(write.earlierChanges());
            }
        }
        int p = 1;
        statement.setArray(p++, db.createArrayOf("text", id));
        statement.setArray(p++, db.createArrayOf("text", url));
        statement.setArray(p++, db.createArrayOf("text", site));
        statement.setArray(p++, db.createArrayOf("text", title));
        statement.setArray(p++, db.createArrayOf("text", body));
        statement.setArray(p++, db.createArrayOf("bytea", bodyZstd));
        statement.setArray(p++, db.createArrayOf("text", contentType));
        statement.setArray(p++, db.createArrayOf("int4", status));
        statement.setArray(p++, db.createArrayOf("text", fetchedAt));
        statement.setArray(p++, db.createArrayOf("text", metadata));
        statement.setArray(p++, db.createArrayOf("bytea", contentHash));
        statement.setArray(p++, db.createArrayOf("text", deletedAt));
        statement.setArray(p++, db.createArrayOf("int4", partition));
        statement.setArray(p++, db.createArrayOf("int8", offset));
        if (withEarlier) {
            statement.setArray(p, db.createArrayOf("text", earlier));
        }
    }

    /** {@code [["2026-11-20T10:15:30Z", 17, "<content hash, hex>"], …]}, or null when there are none (almost always). */
    private static String earlierChanges(List<PageWrite> earlier) {
        if (earlier.isEmpty()) {
            return null;
        }
        StringBuilder json = new StringBuilder("[");
        for (PageWrite write : earlier) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append("[\"").append(write.orderingTime()).append("\",").append(write.offset()).append(',');
            if (write.envelope().op() == Op.DELETE) {
                json.append("null");
            } else {
                json.append('"').append(HexFormat.of().formatHex(ContentHash.of(write.envelope().page()))).append('"');
            }
            json.append(']');
        }
        return json.append(']').toString();
    }
}
