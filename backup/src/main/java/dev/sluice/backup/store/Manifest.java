package dev.sluice.backup.store;

import dev.sluice.core.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a snapshot holds, written last (its presence is what makes a backup complete): the schema version, the
 * snapshot's LSN and time, and per table its file, row count, sizes and SHA-256.
 *
 * @param id the backup's name, sortable by time ({@code 20261120T101530.250Z})
 * @param schemaVersion the schema the rows belong to
 * @param lsn PostgreSQL's WAL position of the snapshot
 * @param snapshotAt when the snapshot's transaction started (the moment the rows are as of)
 * @param finishedAt when the last file was written
 */
public record Manifest(int format, String id, String schemaVersion, String lsn, Instant snapshotAt, Instant finishedAt,
        List<TableFile> tables) {

    public static final int FORMAT = 1;
    public static final String FILE_NAME = "manifest.json";

    /**
     * @param rawBytes the COPY text before compression
     * @param rawSha256 of the COPY text, hex: a drill compares a restored table's own COPY text with it, row by row
     * @param storedBytes the file's size
     * @param sha256 of the file as stored, hex
     */
    public record TableFile(String table, String file, String columns, long rows, long rawBytes, String rawSha256, long storedBytes,
            String sha256) {}

    public Manifest {
        tables = List.copyOf(tables);
    }

    public long rows() {
        return tables.stream().mapToLong(TableFile::rows).sum();
    }

    public long storedBytes() {
        return tables.stream().mapToLong(TableFile::storedBytes).sum();
    }

    public long rawBytes() {
        return tables.stream().mapToLong(TableFile::rawBytes).sum();
    }

    public byte[] toJson() {
        ObjectNode json = Json.mapper().createObjectNode()
                .put("format", format).put("id", id).put("schema_version", schemaVersion).put("lsn", lsn)
                .put("snapshot_at", snapshotAt.toString()).put("finished_at", finishedAt.toString());
        ArrayNode files = json.putArray("tables");
        for (TableFile table : tables) {
            files.addObject().put("table", table.table()).put("file", table.file()).put("columns", table.columns())
                    .put("rows", table.rows()).put("raw_bytes", table.rawBytes()).put("raw_sha256", table.rawSha256())
                    .put("stored_bytes", table.storedBytes())
                    .put("sha256", table.sha256());
        }
        return Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(json);
    }

    /**
     * Reads the manifest found in {@code folder}, refusing one that could make a restore or retention do anything
     * but restore or delete that backup: its fields are put into SQL (table, columns) and store keys (id, file), and
     * nothing signs it. Each field must have the shape this version writes, the id must be its folder's name and the
     * tables the snapshot's own.
     *
     * @throws InvalidManifestException naming the field that is wrong
     */
    public static Manifest fromJson(byte[] bytes, String folder) {
        JsonNode json;
        try {
            json = Json.mapper().readTree(bytes);
        } catch (RuntimeException e) {
            throw new InvalidManifestException(folder, "(the document)", "is not JSON");
        }
        int format = json.path("format").asInt();
        if (format != FORMAT) {
            throw new InvalidManifestException(folder, "format", format + " is not one this version reads (" + FORMAT + ")");
        }
        String id = field(json, folder, "id", ID);
        if (!id.equals(folder)) {
            throw new InvalidManifestException(folder, "id", "'" + id + "' is not the name of its folder");
        }
        List<TableFile> tables = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int index = 0;
        for (JsonNode table : json.path("tables")) {
            String at = "tables[" + index++ + "].";
            String name = field(table, folder, at + "table", IDENTIFIER);
            if (!TABLES.contains(name) || !seen.add(name)) {
                throw new InvalidManifestException(folder, at + "table", "'" + name + "' is not one of " + TABLES + " (once each)");
            }
            tables.add(new TableFile(name, field(table, folder, at + "file", FILE), field(table, folder, at + "columns", COLUMNS),
                    count(table, folder, at + "rows"), count(table, folder, at + "raw_bytes"), field(table, folder, at + "raw_sha256", SHA256),
                    count(table, folder, at + "stored_bytes"), field(table, folder, at + "sha256", SHA256)));
        }
        return new Manifest(format, id, field(json, folder, "schema_version", VERSION), field(json, folder, "lsn", LSN),
                instant(json, folder, "snapshot_at"), instant(json, folder, "finished_at"), tables);
    }

    /** The pipeline's tables a snapshot holds, in the order they are taken and restored. */
    public static final List<String> TABLES = List.of("pages", "page_search", "consumer_positions", "api_keys");

    private static final Pattern ID = Pattern.compile("\\d{8}T\\d{6}(\\.\\d{1,9})?Z");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    /** As {@code quote_ident} writes them: plain or double-quoted identifiers, comma-separated. */
    private static final Pattern COLUMNS = Pattern.compile("(\"?)[a-z_][a-z0-9_]{0,62}\\1(, ?(\"?)[a-z_][a-z0-9_]{0,62}\\3)*");
    private static final Pattern FILE = Pattern.compile("[a-z_][a-z0-9_]{0,62}\\.[a-z0-9.]{1,16}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern VERSION = Pattern.compile("[0-9][0-9.]{0,15}");
    private static final Pattern LSN = Pattern.compile("[0-9A-F]{1,8}/[0-9A-F]{1,8}");

    /** A manifest that is refused, with the field that is wrong. */
    public static final class InvalidManifestException extends IllegalArgumentException {
        InvalidManifestException(String folder, String field, String why) {
            super("the manifest of backup " + folder + " is refused: " + field + " " + why);
        }
    }

    private static String field(JsonNode json, String folder, String name, Pattern shape) {
        JsonNode value = json.path(name.substring(name.lastIndexOf('.') + 1));
        String text = value.isString() ? value.asString() : null;
        if (text == null || !shape.matcher(text).matches()) {
            String shown = text == null ? String.valueOf(value) : text;
            throw new InvalidManifestException(folder, name, "'" + (shown.length() > 80 ? shown.substring(0, 80) + "…" : shown)
                    + "' does not have the shape " + shape.pattern());
        }
        return text;
    }

    private static long count(JsonNode json, String folder, String name) {
        JsonNode value = json.path(name.substring(name.lastIndexOf('.') + 1));
        if (!value.isIntegralNumber() || value.asLong() < 0) {
            throw new InvalidManifestException(folder, name, "'" + value + "' is not a count");
        }
        return value.asLong();
    }

    private static Instant instant(JsonNode json, String folder, String name) {
        try {
            return Instant.parse(json.path(name).asString());
        } catch (RuntimeException e) {
            throw new InvalidManifestException(folder, name, "'" + json.path(name) + "' is not a time");
        }
    }
}
