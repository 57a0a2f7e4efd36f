package dev.sluice.api;

import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Rows as the ingest worker and the search indexer write them (they own the tables; the API's tests write them with
 * plain SQL on the same schema).
 */
public record StoredRows(DataSource dataSource) {

    /** Stores (or replaces) a live page, its body compressed as the workers store it; returns its id. */
    public String page(String url, String title, String body, Instant fetchedAt, long version) {
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            return store(url, title, null, compressor.compress(body), fetchedAt, version);
        }
    }

    /** Stores (or replaces) a live page with its body as text, as rows written before schema 13 hold it. */
    public String pageStoredAsText(String url, String title, String body, Instant fetchedAt, long version) {
        return store(url, title, body, null, fetchedAt, version);
    }

    private String store(String url, String title, String body, byte[] bodyZstd, Instant fetchedAt, long version) {
        PageUrl parsed = PageUrl.parse(url);
        update("""
                INSERT INTO pages (id, url, site, title, body, body_zstd, content_type, status, fetched_at, version, source_partition,
                                   source_offset)
                VALUES (?, ?, ?, ?, ?, ?, 'text/html', 200, ?, ?, 0, 0)
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, body_zstd = excluded.body_zstd,
                    fetched_at = excluded.fetched_at, version = excluded.version, deleted_at = NULL""",
                parsed.id(), parsed.normalized(), parsed.site(), title, body, bodyZstd, Timestamp.from(fetchedAt), version);
        return parsed.id();
    }

    /** Indexes a page for search as the indexer does (title weight A, text weight B, english). */
    public void indexed(String id, String text) {
        update("""
                INSERT INTO page_search (id, site, url, fetched_at, title, content, document, page_version)
                SELECT id, site, url, fetched_at, title, ?,
                       setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', ?), 'B'), version
                FROM pages WHERE id = ?
                ON CONFLICT (id) DO UPDATE SET title = excluded.title, content = excluded.content, document = excluded.document,
                    page_version = excluded.page_version""", text, text, id);
    }

    public void update(String sql, Object... args) {
        try (Connection connection = dataSource.getConnection(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                statement.setObject(i + 1, args[i]);
            }
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
