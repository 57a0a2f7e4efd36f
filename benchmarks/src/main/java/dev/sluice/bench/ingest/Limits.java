package dev.sluice.bench.ingest;

import dev.sluice.core.page.StoredBody;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/** What PostgreSQL can take of the same rows with nothing in the way: the limits the worker is measured against. */
public final class Limits {

    static final String COLUMNS = "id, url, site, title, body, body_zstd, content_type, status, fetched_at, metadata, content_hash, version, "
            + "source_partition, source_offset";

    private static final String BARE_UPSERT = """
            INSERT INTO pages (id, url, site, title, body_zstd, content_type, status, fetched_at, metadata, content_hash, version,
                               source_partition, source_offset)
            SELECT id, url, site, title, body_zstd, 'text/html', 200, fetched_at, metadata, content_hash, 1, 0, o
            FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::bytea[], ?::timestamptz[], ?::jsonb[], ?::bytea[], ?::bigint[])
                AS t(id, url, site, title, body_zstd, fetched_at, metadata, content_hash, o)
            ON CONFLICT (id) DO UPDATE SET
                url = excluded.url, site = excluded.site, title = excluded.title, body_zstd = excluded.body_zstd,
                fetched_at = excluded.fetched_at, metadata = excluded.metadata, content_hash = excluded.content_hash,
                version = pages.version + 1, source_offset = excluded.source_offset, updated_at = now()
            WHERE (pages.fetched_at, pages.source_offset) < (excluded.fetched_at, excluded.source_offset)""";

    private Limits() {}

    /**
     * One COPY of every row, one stream, one transaction, each body compressed as the workers store it (by this
     * stream, as a worker's consumer does; PostgreSQL stores the frame as it comes).
     */
    public static void copy(DataSource db, String table, List<BenchRow> rows) throws SQLException {
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            copy(db, table, rows, (line, i) -> frame(line, compressor.compress(rows.get(i).body())));
        }
    }

    /** One COPY of every row with the body as text, compressed by PostgreSQL (pglz): pages before schema 13. */
    static void copyAsText(DataSource db, String table, List<BenchRow> rows) throws SQLException {
        copy(db, table, rows, (line, i) -> text(line, rows.get(i).body()));
    }

    /** How the body columns ({@code body}, {@code body_zstd}) of row {@code i} are written into a COPY line. */
    @FunctionalInterface
    interface BodyField {
        void append(StringBuilder line, int i);
    }

    /** The body as text, no frame. */
    static void text(StringBuilder line, String body) {
        field(line, body).append("\t\\N");
    }

    /** No text, the body as a frame ({@code bytea} in hex). */
    static void frame(StringBuilder line, byte[] frame) {
        line.append("\\N\t\\\\x").append(HexFormat.of().formatHex(frame));
    }

    /** One COPY of every row, its body written by {@code body}. */
    static void copy(DataSource db, String table, List<BenchRow> rows, BodyField body) throws SQLException {
        try (Connection connection = db.getConnection()) {
            copy(connection, table, rows, body);
        }
    }

    /** One COPY of every row on {@code connection}, its body written by {@code body}. */
    static void copy(Connection connection, String table, List<BenchRow> rows, BodyField body) throws SQLException {
        CopyIn copy = connection.unwrap(PGConnection.class).getCopyAPI()
                .copyIn("COPY " + table + " (" + COLUMNS + ") FROM STDIN");
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 21);
            StringBuilder line = new StringBuilder(16 * 1024);
            for (int i = 0; i < rows.size(); i++) {
                BenchRow row = rows.get(i);
                line.setLength(0);
                field(line, row.id()).append('\t');
                field(line, row.url()).append('\t');
                field(line, row.site()).append('\t');
                field(line, row.title()).append('\t');
                body.append(line, i);
                line.append('\t');
                line.append("text/html\t200\t").append(row.fetchedAt()).append('\t');
                field(line, row.metadata()).append('\t');
                line.append("\\\\x").append(HexFormat.of().formatHex(row.contentHash())).append("\t1\t0\t").append(i).append('\n');
                byte[] bytes = line.toString().getBytes(StandardCharsets.UTF_8);
                buffer.write(bytes, 0, bytes.length);
                if (buffer.size() > 1 << 20) {
                    copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
                    buffer.reset();
                }
            }
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            copy.endCopy();
        } finally {
            if (copy.isActive()) {
                copy.cancelCopy();
            }
        }
    }

    /**
     * COPY into a scratch copy of {@code pages} with one cost taken away (or, TEXT, put back): "" none, TEXT the body
     * as text compressed by PostgreSQL (pglz, as before schema 13), UNLOGGED no WAL, NO_INDEXES only the primary key.
     */
    static void copyScratch(DataSource db, List<BenchRow> rows, String variant) throws SQLException {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE IF EXISTS bench_scratch");
            switch (variant) {
                case "UNLOGGED" -> statement.execute("CREATE UNLOGGED TABLE bench_scratch (LIKE pages INCLUDING ALL)");
                case "NO_INDEXES" -> statement.execute(
                        "CREATE TABLE bench_scratch (LIKE pages INCLUDING DEFAULTS INCLUDING CONSTRAINTS); ALTER TABLE bench_scratch ADD PRIMARY KEY (id)");
                default -> statement.execute("CREATE TABLE bench_scratch (LIKE pages INCLUDING ALL)");
            }
        }
        if (variant.equals("TEXT")) {
            copyAsText(db, "bench_scratch", rows);
        } else {
            copy(db, "bench_scratch", rows);
        }
    }

    /** The set-based upsert with nothing around it: batches of 1,000 rows, each its own transaction. */
    static void unnestUpsert(DataSource db, List<BenchRow> rows, int connections) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            List<Future<?>> streams = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int stream = c;
                streams.add(pool.submit(() -> {
                    List<BenchRow> mine = new ArrayList<>();
                    for (int i = stream; i < rows.size(); i += connections) {
                        mine.add(rows.get(i));
                    }
                    try (Connection connection = db.getConnection(); PreparedStatement upsert = connection.prepareStatement(BARE_UPSERT)) {
                        for (int from = 0; from < mine.size(); from += 1000) {
                            bind(connection, upsert, mine.subList(from, Math.min(mine.size(), from + 1000)));
                            upsert.executeUpdate();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> stream : streams) {
                stream.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void bind(Connection connection, PreparedStatement upsert, List<BenchRow> batch) throws SQLException {
        int n = batch.size();
        String[] id = new String[n], url = new String[n], site = new String[n], title = new String[n];
        byte[][] body = new byte[n][];
        String[] fetchedAt = new String[n], metadata = new String[n];
        byte[][] hash = new byte[n][];
        Long[] offset = new Long[n];
        try (StoredBody.Compressor compressor = StoredBody.compressor()) { // as the workers store bodies
            for (int i = 0; i < n; i++) {
                BenchRow row = batch.get(i);
                id[i] = row.id();
                url[i] = row.url();
                site[i] = row.site();
                title[i] = row.title();
                body[i] = compressor.compress(row.body());
                fetchedAt[i] = row.fetchedAt().toString();
                metadata[i] = row.metadata();
                hash[i] = row.contentHash();
                offset[i] = row.n();
            }
        }
        upsert.setArray(1, connection.createArrayOf("text", id));
        upsert.setArray(2, connection.createArrayOf("text", url));
        upsert.setArray(3, connection.createArrayOf("text", site));
        upsert.setArray(4, connection.createArrayOf("text", title));
        upsert.setArray(5, connection.createArrayOf("bytea", body));
        upsert.setArray(6, connection.createArrayOf("text", fetchedAt));
        upsert.setArray(7, connection.createArrayOf("text", metadata));
        upsert.setArray(8, connection.createArrayOf("bytea", hash));
        upsert.setArray(9, connection.createArrayOf("int8", offset));
    }

    /** A field in COPY's text format: backslash, tab, newline and carriage return escaped. */
    static StringBuilder field(StringBuilder line, String value) {
        if (value == null) {
            return line.append("\\N");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> line.append("\\\\");
                case '\t' -> line.append("\\t");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                default -> line.append(c);
            }
        }
        return line;
    }
}
