package dev.sluice.backup.store;

import dev.sluice.core.json.Json;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    public static Manifest fromJson(byte[] bytes) {
        JsonNode json = Json.mapper().readTree(bytes);
        int format = json.path("format").asInt();
        if (format != FORMAT) {
            throw new IllegalArgumentException("manifest format " + format + " is not one this version reads (" + FORMAT + ")");
        }
        List<TableFile> tables = new ArrayList<>();
        for (JsonNode table : json.path("tables")) {
            tables.add(new TableFile(table.path("table").asString(), table.path("file").asString(), table.path("columns").asString(),
                    table.path("rows").asLong(), table.path("raw_bytes").asLong(), table.path("raw_sha256").asString(),
                    table.path("stored_bytes").asLong(),
                    table.path("sha256").asString()));
        }
        return new Manifest(format, json.path("id").asString(), json.path("schema_version").asString(), json.path("lsn").asString(),
                Instant.parse(json.path("snapshot_at").asString()), Instant.parse(json.path("finished_at").asString()), tables);
    }
}
