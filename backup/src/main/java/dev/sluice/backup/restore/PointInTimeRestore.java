package dev.sluice.backup.restore;

import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Manifest;
import dev.sluice.core.json.Json;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Restores {@code pages} as it was at a chosen moment, or WAL position: the newest snapshot taken at or before it,
 * then every archived change committed up to it. Changes are whole rows, fenced per page by their WAL position:
 * whatever order the segments come in (several archivers, partitions moving between them, changes archived twice),
 * a page ends as its newest change up to the target, and applying a few the snapshot already has (those committed
 * shortly before it) is harmless. The segments must cover their partitions without a hole; a restore that would
 * cross one (changes retention removed before they were archived) is refused, naming it.
 *
 * <p>Only {@code pages} changes are archived: the other tables come from the snapshot as they were. Search entries
 * of pages changed since the snapshot are counted in the result; an ingest worker's search indexer brings them up to
 * date when it starts on the restored database.
 */
public final class PointInTimeRestore {

    /**
     * pgoutput leaves unchanged TOASTed values (a large body) out of update events; Debezium puts this instead (in
     * a bytea column, these bytes, in hex as the change feed writes binary values).
     */
    private static final String UNAVAILABLE = "__debezium_unavailable_value";
    private static final String UNAVAILABLE_BYTES = HexFormat.of().formatHex(UNAVAILABLE.getBytes(StandardCharsets.UTF_8));

    /** The columns of {@code pages} of type bytea, sent by the change feed in hex (binary.handling.mode). */
    private static final Set<String> BINARY = Set.of("content_hash", "body_zstd");

    private static final Logger log = LoggerFactory.getLogger(PointInTimeRestore.class);

    /**
     * @param archivedUntil how far the archive reaches (a restore cannot go past it): the newest commit time, or
     *     for a restore to a WAL position, the newest change's position
     * @param reachedTarget whether the archive reaches the target
     */
    public record Result(Manifest snapshot, long changesApplied, String archivedUntil, boolean reachedTarget, long staleSearchEntries) {}

    /** The segments a restore needs leave a hole: changes no archiver read. */
    public static final class ArchiveGapException extends IOException {
        public ArchiveGapException(List<ChangeArchive.Gap> gaps) {
            super("the change archive has a hole, refusing to restore across it (changes in it would be silently missing): "
                    + String.join("; ", gaps.stream().map(ChangeArchive.Gap::toString).toList())
                    + ". Restore to a moment before it, or from a snapshot taken after it");
        }
    }

    private final BackupStore store;
    private final ChangeArchive archive;
    private final DataSource server;
    private final Function<String, DataSource> database;

    public PointInTimeRestore(BackupStore store, ChangeArchive archive, DataSource server, Function<String, DataSource> database) {
        this.store = store;
        this.archive = archive;
        this.server = server;
        this.database = database;
    }

    /** Pages as of {@code target}: the changes committed at or before it. */
    public Result restore(Instant target, String databaseName) throws IOException, SQLException {
        Manifest snapshot = newestSnapshot(backup -> !backup.snapshotAt().isAfter(target), "at or before " + target);
        long from = replayFrom(snapshot);
        long to = target.toEpochMilli();
        Instant archivedUntil = archive.lastCommit().orElse(snapshot.snapshotAt());
        List<ChangeArchive.Segment> segments = archive.segments(Instant.ofEpochMilli(from), target);
        Applied applied = restore(snapshot, segments, databaseName, change -> change.commitMillis() >= from && change.commitMillis() <= to);
        log.info("Point-in-time restore to {}: snapshot {} (as of {}) and {} archived change(s)", target, snapshot.id(), snapshot.snapshotAt(),
                applied.changes());
        return new Result(snapshot, applied.changes(), archivedUntil.toString(), !archivedUntil.isBefore(target), applied.staleSearchEntries());
    }

    /**
     * Pages as of the WAL position {@code target}: the transactions whose changes all come before it. The change
     * feed carries each change's own position, not its commit's: a transaction with a change at or after the
     * target committed after it and is left out whole; one whose last change precedes the target but whose
     * commit record follows it cannot be told apart, and is counted as committed.
     */
    public Result restore(Lsn target, String databaseName) throws IOException, SQLException {
        Manifest snapshot = newestSnapshot(backup -> Lsn.parse(backup.lsn()).compareTo(target) <= 0, "at or before LSN " + target);
        long from = replayFrom(snapshot);
        List<ChangeArchive.Segment> segments = archive.segments(Instant.ofEpochMilli(from), Instant.MAX);
        Set<Long> late = transactionsReaching(target, segments, from);
        long[] newest = {0};
        Applied applied = restore(snapshot, segments, databaseName, change -> {
            JsonNode source = source(change);
            long lsn = source.path("lsn").asLong();
            newest[0] = Long.compareUnsigned(lsn, newest[0]) > 0 ? lsn : newest[0];
            return change.commitMillis() >= from && Long.compareUnsigned(lsn, target.value()) < 0 && !late.contains(source.path("txId").asLong());
        });
        log.info("Point-in-time restore to LSN {}: snapshot {} (LSN {}) and {} archived change(s)", target, snapshot.id(), snapshot.lsn(),
                applied.changes());
        return new Result(snapshot, applied.changes(), new Lsn(newest[0]).toString(), Long.compareUnsigned(newest[0], target.value()) >= 0,
                applied.staleSearchEntries());
    }

    /**
     * The transactions with a change at or after {@code target}. A transaction spans at most the replay overlap
     * (the same bound the snapshots rely on), so reading stops that long after the last change before the target.
     */
    private Set<Long> transactionsReaching(Lsn target, List<ChangeArchive.Segment> segments, long from) throws IOException {
        Set<Long> late = new HashSet<>();
        long[] lastBefore = {from};
        for (ChangeArchive.Segment segment : segments) {
            if (segment.firstCommit().toEpochMilli() > lastBefore[0] + ChangeArchive.REPLAY_OVERLAP.toMillis()) {
                break;
            }
            archive.read(segment, change -> {
                if (change.event() == null) {
                    return;
                }
                JsonNode source = source(change);
                if (Long.compareUnsigned(source.path("lsn").asLong(), target.value()) >= 0) {
                    late.add(source.path("txId").asLong());
                } else {
                    lastBefore[0] = Math.max(lastBefore[0], change.commitMillis());
                }
            });
        }
        return late;
    }

    private Manifest newestSnapshot(Predicate<Manifest> usable, String which) throws IOException {
        return store.list().stream().filter(usable).max(Comparator.comparing(Manifest::snapshotAt))
                .orElseThrow(() -> new IllegalArgumentException("no complete snapshot " + which));
    }

    /** Changes committed this long before the snapshot are applied again: one that began before it and committed after is never missed. */
    private static long replayFrom(Manifest snapshot) {
        return snapshot.snapshotAt().minus(ChangeArchive.REPLAY_OVERLAP).toEpochMilli();
    }

    private static JsonNode source(ChangeArchive.Change change) {
        JsonNode event = change.event().has("payload") ? change.event().path("payload") : change.event();
        return event.path("source");
    }

    private record Applied(long changes, long staleSearchEntries) {}

    /** Search entries that do not match their page: a live page unindexed or indexed at another version, or an entry of no live page. */
    private static final String STALE_SEARCH_ENTRIES = """
            SELECT count(*) FROM pages p FULL JOIN page_search s ON s.id = p.id
            WHERE CASE WHEN p.id IS NOT NULL AND p.deleted_at IS NULL THEN s.id IS NULL OR s.page_version <> p.version
                       ELSE s.id IS NOT NULL END""";

    private Applied restore(Manifest snapshot, List<ChangeArchive.Segment> segments, String databaseName, Predicate<ChangeArchive.Change> wanted)
            throws IOException, SQLException {
        List<ChangeArchive.Gap> gaps = ChangeArchive.gaps(segments);
        if (!gaps.isEmpty()) {
            throw new ArchiveGapException(gaps);
        }
        // the snapshot's files are checksummed as they load (Restorer); the segments, read after the load, first
        List<String> damaged = new ArrayList<>(new BackupVerifier(store).verifySizes(snapshot));
        for (ChangeArchive.Segment segment : segments) {
            String damage = archive.damage(segment);
            if (damage != null) {
                damaged.add(damage);
            }
        }
        if (!damaged.isEmpty()) {
            throw new Restorer.DamagedBackupException(snapshot.id() + " with its change archive", damaged);
        }

        new Restorer(store, server, database).restore(snapshot, databaseName, false);
        DataSource restored = database.apply(databaseName);
        long applied;
        long staleSearchEntries;
        try {
            try (Connection db = restored.getConnection()) {
                db.setAutoCommit(false);
                try (Statement statement = db.createStatement()) {
                    statement.execute("ALTER TABLE pages DISABLE TRIGGER USER"); // rows arrive as they were, versions included
                }
                try (ChangeApplier applier = new ChangeApplier(db, columns(db))) {
                    int done = 0;
                    for (ChangeArchive.Segment segment : segments) {
                        archive.read(segment, change -> {
                            if (change.event() != null && wanted.test(change)) {
                                applier.apply(change);
                            }
                        });
                        if (++done % 100 == 0) {
                            log.info("  {} of {} archive segment(s) read, {} change(s) applied", done, segments.size(), applier.applied);
                        }
                    }
                    applied = applier.applied;
                }
                try (Statement statement = db.createStatement()) {
                    statement.execute("ALTER TABLE pages ENABLE TRIGGER USER");
                }
                db.commit();
            }
            new SchemaMigrator(restored).migrate();
            try (Connection db = restored.getConnection(); Statement statement = db.createStatement();
                    var row = statement.executeQuery(STALE_SEARCH_ENTRIES)) {
                row.next();
                staleSearchEntries = row.getLong(1);
            }
        } catch (IOException | SQLException | RuntimeException e) {
            Restorer.drop(server, databaseName, e); // a restore that failed leaves nothing behind
            throw e;
        }
        return new Applied(applied, staleSearchEntries);
    }

    private static List<String> columns(Connection db) throws SQLException {
        List<String> columns = new ArrayList<>();
        try (Statement statement = db.createStatement(); var rows = statement.executeQuery("""
                SELECT column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = 'pages' AND column_name <> 'change_xid'
                ORDER BY ordinal_position""")) {
            while (rows.next()) {
                columns.add(rows.getString(1));
            }
        }
        return columns;
    }

    /**
     * Applies change events to {@code pages}: a whole row upserted (its unavailable values left as they are), or
     * deleted; only if it is newer, by WAL position, than the last change applied to the page. A page's changes are
     * serialised by its row lock, so their positions are in commit order.
     */
    private static final class ChangeApplier implements AutoCloseable {
        private final Connection db;
        private final List<String> columns;
        private final PreparedStatement delete;
        private final PreparedStatement newer;
        /** One upsert per set of columns an event carries (nearly always all of them, or all but the body). */
        private final java.util.Map<List<String>, PreparedStatement> upserts = new java.util.HashMap<>();
        private long applied;

        ChangeApplier(Connection db, List<String> columns) throws SQLException {
            this.db = db;
            this.columns = columns;
            this.delete = db.prepareStatement("DELETE FROM pages WHERE id = ?");
            try (Statement statement = db.createStatement()) {
                statement.execute("CREATE TEMPORARY TABLE pit_applied (id text PRIMARY KEY, lsn bigint NOT NULL) ON COMMIT DROP");
            }
            this.newer = db.prepareStatement("""
                    INSERT INTO pit_applied VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET lsn = excluded.lsn
                    WHERE pit_applied.lsn < excluded.lsn""");
        }

        /** Whether the change is newer than any applied to its page so far (a change without a position always is). */
        private boolean newest(ChangeArchive.Change change, JsonNode event) throws SQLException {
            JsonNode lsn = event.path("source").path("lsn");
            if (!lsn.isNumber()) {
                return true;
            }
            newer.setString(1, change.key());
            newer.setLong(2, lsn.asLong());
            return newer.executeUpdate() == 1;
        }

        void apply(ChangeArchive.Change change) {
            JsonNode event = change.event().has("payload") ? change.event().path("payload") : change.event();
            String op = event.path("op").asString("");
            try {
                if (!newest(change, event)) {
                    return; // an older change of the page (or the same one again), read after a newer one
                }
                if (op.equals("d")) {
                    delete.setString(1, change.key());
                    delete.executeUpdate();
                } else if (op.equals("c") || op.equals("u") || op.equals("r")) {
                    upsert((ObjectNode) event.path("after"));
                } else {
                    return;
                }
                applied++;
            } catch (SQLException e) {
                throw new IllegalStateException("cannot apply the archived change " + change.partition() + "@" + change.offset() + ": "
                        + e.getMessage(), e);
            }
        }

        private void upsert(ObjectNode after) throws SQLException {
            ObjectNode row = after.deepCopy();
            List<String> present = new ArrayList<>();
            for (String column : columns) {
                JsonNode value = row.get(column);
                String text = value == null ? null : value.asString(null);
                if (value == null || UNAVAILABLE.equals(text) || BINARY.contains(column) && UNAVAILABLE_BYTES.equals(text)) {
                    row.remove(column);
                    continue;
                }
                if (column.equals("metadata") && value.isString()) {
                    row.set(column, Json.mapper().readTree(value.asString())); // Debezium sends jsonb as its text
                } else if (BINARY.contains(column) && value.isString()) {
                    row.put(column, "\\x" + value.asString()); // bytea, sent as hex
                }
                present.add(column);
            }
            PreparedStatement upsert = upserts.get(present);
            if (upsert == null) {
                List<String> updated = present.stream().filter(column -> !column.equals("id")).toList();
                // the event's columns only: the others take their defaults (the change feed's change_xid among them)
                String named = String.join(", ", present);
                upsert = db.prepareStatement("INSERT INTO pages (" + named + ") SELECT " + named + " FROM json_populate_record(NULL::pages, ?::json)"
                        + " ON CONFLICT (id) DO UPDATE SET (" + String.join(", ", updated) + ") = ROW("
                        + String.join(", ", updated.stream().map(c -> "excluded." + c).toList()) + ")");
                upserts.put(present, upsert);
            }
            upsert.setString(1, Json.mapper().writeValueAsString(row));
            upsert.executeUpdate();
        }

        @Override
        public void close() throws SQLException {
            delete.close();
            newer.close();
            for (PreparedStatement upsert : upserts.values()) {
                upsert.close();
            }
        }
    }
}
