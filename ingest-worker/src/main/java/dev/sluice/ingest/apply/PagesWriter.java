package dev.sluice.ingest.apply;

import dev.sluice.core.envelope.Op;
import dev.sluice.core.page.Page;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.List;

/**
 * Applies coalesced writes to {@code pages} in one set-based statement: arrays bound once, unnested in SQL.
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
 * </ul>
 */
final class PagesWriter {

    static final String UPSERT = """
            WITH incoming AS (
                SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[],
                                     ?::timestamptz[], ?::jsonb[], ?::bytea[], ?::timestamptz[], ?::int[], ?::bigint[],
                                     ?::jsonb[])
                    AS t(id, url, site, title, body, content_type, status, fetched_at, metadata, content_hash,
                         deleted_at, source_partition, source_offset, earlier)
            ),
            updated AS (
                UPDATE pages p SET
                    url = coalesce(i.url, p.url),
                    site = coalesce(i.site, p.site),
                    title = CASE WHEN i.deleted_at IS NOT NULL THEN NULL
                                 WHEN p.deleted_at IS NULL AND p.content_hash = i.content_hash THEN p.title
                                 ELSE i.title END,
                    body = CASE WHEN i.deleted_at IS NOT NULL THEN NULL
                                WHEN p.deleted_at IS NULL AND p.content_hash = i.content_hash THEN p.body
                                ELSE i.body END,
                    content_type = CASE WHEN i.deleted_at IS NOT NULL THEN NULL
                                        WHEN p.deleted_at IS NULL AND p.content_hash = i.content_hash THEN p.content_type
                                        ELSE i.content_type END,
                    status = CASE WHEN i.deleted_at IS NOT NULL THEN NULL
                                  WHEN p.deleted_at IS NULL AND p.content_hash = i.content_hash THEN p.status
                                  ELSE i.status END,
                    metadata = CASE WHEN i.deleted_at IS NOT NULL THEN '{}'::jsonb
                                    WHEN p.deleted_at IS NULL AND p.content_hash = i.content_hash THEN p.metadata
                                    ELSE i.metadata END,
                    content_hash = CASE WHEN i.deleted_at IS NOT NULL THEN NULL ELSE i.content_hash END,
                    fetched_at = i.fetched_at, -- a tombstone's is its deletion time, whatever came before it
                    deleted_at = i.deleted_at,
                    -- +1 for the winner, +1 for each earlier write of the batch newer than the row, except the
                    -- first of those if it only repeats the row (later ones never repeat their predecessor)
                    version = p.version + 1 + (
                        SELECT count(*) FILTER (WHERE NOT (later.n = later.first AND later.repeats_row))
                        FROM (SELECT x.n, min(x.n) OVER () AS first,
                                     p.deleted_at IS NULL AND (x.e->>0)::timestamptz = p.fetched_at
                                         AND x.e->>2 IS NOT DISTINCT FROM encode(p.content_hash, 'hex') AS repeats_row
                              FROM jsonb_array_elements(i.earlier) WITH ORDINALITY AS x(e, n)
                              WHERE ((x.e->>0)::timestamptz, (x.e->>1)::bigint)
                                    > (coalesce(p.deleted_at, p.fetched_at), p.source_offset)) AS later),
                    source_partition = i.source_partition,
                    source_offset = i.source_offset,
                    updated_at = now()
                FROM incoming i
                WHERE p.id = i.id
                  AND (coalesce(i.deleted_at, i.fetched_at), i.source_offset) > (coalesce(p.deleted_at, p.fetched_at), p.source_offset)
                  -- an exact repeat of the row changes nothing, unless earlier writes of the batch changed it between
                  AND (NOT (i.deleted_at IS NULL AND p.deleted_at IS NULL AND i.fetched_at = p.fetched_at
                            AND i.content_hash = p.content_hash)
                       OR EXISTS (SELECT 1 FROM jsonb_array_elements(i.earlier) e
                                  WHERE ((e->>0)::timestamptz, (e->>1)::bigint) > (coalesce(p.deleted_at, p.fetched_at), p.source_offset)))
                RETURNING p.id
            ),
            named AS (
                -- a tombstone of a page never seen learns its URL from any later-arriving write, even a fenced one
                UPDATE pages p SET url = i.url, site = i.site
                FROM incoming i
                WHERE p.id = i.id AND p.url IS NULL AND i.url IS NOT NULL AND p.id NOT IN (SELECT id FROM updated)
            ),
            inserted AS (
                INSERT INTO pages (id, url, site, title, body, content_type, status, fetched_at, metadata, content_hash,
                                   version, deleted_at, source_partition, source_offset)
                SELECT i.id, i.url, i.site, i.title, i.body, i.content_type, i.status, i.fetched_at,
                       coalesce(i.metadata, '{}'::jsonb), i.content_hash, 1 + coalesce(jsonb_array_length(i.earlier), 0),
                       i.deleted_at, i.source_partition, i.source_offset
                FROM incoming i
                WHERE NOT EXISTS (SELECT 1 FROM pages p WHERE p.id = i.id)
                ON CONFLICT (id) DO NOTHING
                RETURNING id
            )
            SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM inserted)""";

    /** How a batch changed the table; the rest was fenced off as older than what is stored. */
    record Outcome(int updated, int inserted, int fenced) {}

    private PagesWriter() {}

    static Outcome write(Connection db, List<CoalescedWrite> writes) throws SQLException {
        int n = writes.size();
        String[] id = new String[n];
        String[] url = new String[n];
        String[] site = new String[n];
        String[] title = new String[n];
        String[] body = new String[n];
        String[] contentType = new String[n];
        Integer[] status = new Integer[n];
        String[] fetchedAt = new String[n];
        String[] metadata = new String[n];
        byte[][] contentHash = new byte[n][];
        String[] deletedAt = new String[n];
        Integer[] partition = new Integer[n];
        Long[] offset = new Long[n];
        String[] earlier = new String[n];
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
                body[i] = page.body();
                contentType[i] = page.contentType();
                status[i] = page.status();
                metadata[i] = page.metadata().toString();
                contentHash[i] = ContentHash.of(page);
            }
            earlier[i] = earlierChanges(write.earlierChanges());
        }
        try (PreparedStatement statement = db.prepareStatement(UPSERT)) {
            int p = 1;
            statement.setArray(p++, db.createArrayOf("text", id));
            statement.setArray(p++, db.createArrayOf("text", url));
            statement.setArray(p++, db.createArrayOf("text", site));
            statement.setArray(p++, db.createArrayOf("text", title));
            statement.setArray(p++, db.createArrayOf("text", body));
            statement.setArray(p++, db.createArrayOf("text", contentType));
            statement.setArray(p++, db.createArrayOf("int4", status));
            statement.setArray(p++, db.createArrayOf("text", fetchedAt));
            statement.setArray(p++, db.createArrayOf("text", metadata));
            statement.setArray(p++, db.createArrayOf("bytea", contentHash));
            statement.setArray(p++, db.createArrayOf("text", deletedAt));
            statement.setArray(p++, db.createArrayOf("int4", partition));
            statement.setArray(p++, db.createArrayOf("int8", offset));
            Array earlierArray = db.createArrayOf("text", earlier);
            statement.setArray(p, earlierArray);
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                int updated = result.getInt(1);
                int inserted = result.getInt(2);
                return new Outcome(updated, inserted, n - updated - inserted);
            }
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
