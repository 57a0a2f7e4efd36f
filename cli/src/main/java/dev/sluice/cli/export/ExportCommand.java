package dev.sluice.cli.export;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.cli.support.IsoTime;
import dev.sluice.cli.support.Progress;
import dev.sluice.core.json.Json;
import dev.sluice.core.page.StoredBody;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.GZIPOutputStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sluice export}: pages from PostgreSQL as NDJSON in the POST format (so {@code sluice import} takes the file
 * back), or as a WARC file with a CDXJ index ({@link WarcExport}), streamed from one consistent snapshot, gzip when
 * an NDJSON file's name ends in {@code .gz}. Deleted pages are not exported.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Export pages from PostgreSQL to NDJSON (the POST format; gzip for a .gz file), by site and fetch time;",
                "or to WARC/1.1 (--format warc, gzip per record) with a CDXJ index beside it, for replay tools and archives."},
        footer = {"", "Examples:", "  sluice export --site example.com --from 2026-11-01T00:00Z --output example.ndjson.gz",
                "  sluice export --site example.com --format warc --output example.warc.gz   (and example.warc.gz.cdxj)"})
public final class ExportCommand implements Callable<Integer> {

    /** The file formats {@code export} writes. */
    enum Format { ndjson, warc }

    @Option(names = "--format", defaultValue = "ndjson", description = "ndjson or warc (default: ${DEFAULT-VALUE}; warc needs --output).")
    Format format;

    @Option(names = "--site", split = ",", description = "Only these sites (hosts; repeatable or comma-separated; default: all).")
    List<String> sites = List.of();

    @Option(names = "--from", converter = IsoTime.class, description = "Fetched at or after this time (ISO-8601, like 2026-11-20T10:15Z).")
    Instant from;

    @Option(names = "--to", converter = IsoTime.class, description = "Fetched before this time.")
    Instant to;

    @Option(names = "--output", description = "The file to write (default: standard output).")
    Path output;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    public ExportCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        if (format == Format.warc && output == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format warc needs --output (the CDXJ index is written beside it)");
        }
        StringBuilder where = new StringBuilder("deleted_at IS NULL");
        List<Object> parameters = new ArrayList<>();
        if (!sites.isEmpty()) {
            where.append(" AND site = ANY(?)");
            parameters.add(sites.toArray(String[]::new));
        }
        if (from != null) {
            where.append(" AND fetched_at >= ?");
            parameters.add(Timestamp.from(from));
        }
        if (to != null) {
            where.append(" AND fetched_at < ?");
            parameters.add(Timestamp.from(to));
        }
        PrintWriter err = spec.commandLine().getErr();
        long started = System.nanoTime();
        long exported = 0;
        try (Connection db = environment.dataSource().getConnection()) {
            db.setAutoCommit(false); // a cursor (fetch size) needs a transaction; repeatable read: one snapshot
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            long total = count(db, where.toString(), parameters);
            try (OutputStream sink = format == Format.warc ? OutputStream.nullOutputStream() : open();
                    WarcExport warc = format == Format.warc ? new WarcExport(output) : null;
                    Progress progress = new Progress("Exporting", total, "pages", err);
                    PreparedStatement query = prepare(db, "SELECT url, fetched_at, status, title, content_type, body, body_zstd, metadata FROM pages WHERE "
                            + where + " ORDER BY site, fetched_at, id", parameters)) {
                query.setFetchSize(1000);
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        if (warc != null) {
                            write(warc, rows);
                        } else {
                            sink.write(line(rows));
                        }
                        exported++;
                        if (exported % 1000 == 0) {
                            progress.advance(1000);
                        }
                    }
                    progress.advance(exported % 1000);
                }
            }
            db.commit();
        }
        err.printf("Exported %,d page(s) in %.1f s%s%s%n", exported, (System.nanoTime() - started) / 1e9, output == null ? "" : " to " + output,
                format == Format.warc ? " (index " + output.resolveSibling(output.getFileName() + ".cdxj") + ")" : "");
        err.flush();
        return 0;
    }

    private static void write(WarcExport warc, ResultSet row) throws Exception {
        int status = row.getInt("status");
        Integer knownStatus = row.wasNull() ? null : status;
        warc.write(row.getString("url"), row.getTimestamp("fetched_at").toInstant(), knownStatus, row.getString("title"),
                row.getString("content_type"), StoredBody.read(row), (ObjectNode) Json.mapper().readTree(row.getString("metadata")));
    }

    private static byte[] line(ResultSet row) throws Exception {
        ObjectNode page = Json.mapper().createObjectNode()
                .put("url", row.getString("url"))
                .put("fetched_at", row.getTimestamp("fetched_at").toInstant().toString());
        int status = row.getInt("status");
        if (!row.wasNull()) {
            page.put("status", status);
        }
        for (String field : List.of("title", "content_type", "body")) {
            String value = field.equals("body") ? StoredBody.read(row) : row.getString(field);
            if (value != null) {
                page.put(field, value);
            }
        }
        page.set("metadata", Json.mapper().readTree(row.getString("metadata")));
        byte[] json = Json.mapper().writeValueAsBytes(page);
        byte[] withNewline = java.util.Arrays.copyOf(json, json.length + 1);
        withNewline[json.length] = '\n';
        return withNewline;
    }

    private OutputStream open() throws Exception {
        if (output == null) {
            return new BufferedOutputStream(new java.io.FilterOutputStream(System.out) {
                @Override
                public void close() throws java.io.IOException {
                    flush(); // never close standard output
                }
            }, 1 << 16);
        }
        OutputStream file = new BufferedOutputStream(Files.newOutputStream(output), 1 << 16);
        return output.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(file, 1 << 16) : file;
    }

    private static long count(Connection db, String where, List<Object> parameters) throws Exception {
        try (PreparedStatement query = prepare(db, "SELECT count(*) FROM pages WHERE " + where, parameters);
                ResultSet row = query.executeQuery()) {
            row.next();
            return row.getLong(1);
        }
    }

    private static PreparedStatement prepare(Connection db, String sql, List<Object> parameters) throws Exception {
        PreparedStatement statement = db.prepareStatement(sql);
        for (int i = 0; i < parameters.size(); i++) {
            Object parameter = parameters.get(i);
            if (parameter instanceof String[] array) {
                statement.setArray(i + 1, db.createArrayOf("text", array));
            } else {
                statement.setObject(i + 1, parameter);
            }
        }
        return statement;
    }
}
