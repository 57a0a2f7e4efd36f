package dev.sluice.store.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a batch in ONE transaction: the page rows and the group's consumed positions commit together, which is
 * what makes every write effectively once whatever fails when (a crash before the commit applies nothing, after
 * it the positions say so).
 *
 * <p>A write PostgreSQL refuses for its data (SQL state class 22 or 23, e.g. a byte sequence it cannot store) is
 * poison: the batch is applied again page by page, each in a savepoint, the refused pages are handed to
 * {@link Rejections} with the reason (which must have them safely elsewhere, the dead-letter topic, before this
 * returns), and the rest commits. Anything else (the database down, a deadlock, a failover) is transient: it is
 * thrown as {@link TransientApplyException} for the caller to retry the whole batch later.
 */
public final class BatchApplier {

    private static final Logger log = LoggerFactory.getLogger(BatchApplier.class);

    /** Receives what PostgreSQL refused, before the transaction commits. */
    @FunctionalInterface
    public interface Rejections {
        void reject(List<PageWrite> writes, String reason);
    }

    /** The prefix of the logical decoding messages that carry traces to the change feed. */
    public static final String TRACE_MESSAGE = "sluice.trace";

    public record Result(int updated, int inserted, int fenced, int rejected) {}

    private final DataSource dataSource;
    private final String group;
    private final String topic;
    private final PagesWriter pages;

    /** Applies to {@code pages}, bodies compressed, as the workers do by default. */
    public BatchApplier(DataSource dataSource, String group, String topic) {
        this(dataSource, group, topic, "pages", BodyStorage.ZSTD);
    }

    /**
     * @param table {@code pages} or a table of its shape (a replay's shadow table)
     * @param bodies how bodies are stored
     */
    public BatchApplier(DataSource dataSource, String group, String topic, String table, BodyStorage bodies) {
        this.dataSource = dataSource;
        this.group = group;
        this.topic = topic;
        this.pages = new PagesWriter(table, bodies);
    }

    /**
     * @param writes the batch's decodable writes, coalesced
     * @param nextOffsets per partition of the batch, the offset after its last record (undecodable ones included)
     */
    public Result apply(List<CoalescedWrite> writes, Map<Integer, Long> nextOffsets, Rejections rejections) {
        return apply(writes, nextOffsets, Map.of(), rejections);
    }

    /**
     * @param traces the traces some writes carry on (page id to W3C {@code traceparent}), handed to the change
     *     feed in the same transaction ({@link #TRACE_MESSAGE}); empty for nearly every batch
     */
    public Result apply(List<CoalescedWrite> writes, Map<Integer, Long> nextOffsets, Map<String, String> traces, Rejections rejections) {
        try (Connection db = dataSource.getConnection()) {
            db.setAutoCommit(false);
            try {
                emitTraces(db, traces);
                PagesWriter.Outcome outcome = writes.isEmpty() ? new PagesWriter.Outcome(0, 0, 0) : pages.write(db, writes);
                Positions.save(db, group, topic, nextOffsets);
                db.commit();
                return new Result(outcome.updated(), outcome.inserted(), outcome.fenced(), 0);
            } catch (SQLException e) {
                db.rollback();
                if (!isDataError(e)) {
                    throw e;
                }
                log.warn("PostgreSQL refused a batch of {} page(s) ({}); applying it page by page to isolate the refused ones",
                        writes.size(), e.getMessage());
                emitTraces(db, traces);
                return applyOneByOne(db, writes, nextOffsets, rejections);
            }
        } catch (SQLException e) {
            throw new TransientApplyException("cannot apply the batch now: " + e.getMessage(), e);
        }
    }

    private Result applyOneByOne(Connection db, List<CoalescedWrite> writes, Map<Integer, Long> nextOffsets, Rejections rejections)
            throws SQLException {
        int updated = 0;
        int inserted = 0;
        int fenced = 0;
        int rejected = 0;
        try {
            for (CoalescedWrite write : writes) {
                Savepoint before = db.setSavepoint();
                try {
                    PagesWriter.Outcome outcome = pages.write(db, List.of(write));
                    updated += outcome.updated();
                    inserted += outcome.inserted();
                    fenced += outcome.fenced();
                    db.releaseSavepoint(before);
                } catch (SQLException e) {
                    if (!isDataError(e)) {
                        throw e;
                    }
                    db.rollback(before);
                    List<PageWrite> refused = write.writes();
                    rejections.reject(refused, "PostgreSQL refused the page: " + e.getMessage() + " (SQL state " + e.getSQLState() + ")");
                    rejected += refused.size();
                }
            }
            Positions.save(db, group, topic, nextOffsets);
            db.commit();
            return new Result(updated, inserted, fenced, rejected);
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        }
    }

    /**
     * The traces of a transaction's writes, as one transactional logical decoding message ({@code id traceparent}
     * per line) ahead of its rows: the change feed reads it with them and carries each trace on to the row's
     * change event. Nothing is written to the table, and a write no trace follows costs nothing.
     */
    private static void emitTraces(Connection db, Map<String, String> traces) throws SQLException {
        if (traces.isEmpty()) {
            return;
        }
        StringBuilder content = new StringBuilder(traces.size() * 90);
        traces.forEach((id, traceparent) -> content.append(id).append(' ').append(traceparent).append('\n'));
        try (PreparedStatement emit = db.prepareStatement("SELECT pg_logical_emit_message(true, ?, ?)")) {
            emit.setString(1, TRACE_MESSAGE);
            emit.setString(2, content.toString());
            emit.execute();
        }
    }

    /** Class 22 (data exception) and 23 (integrity constraint violation): the data is at fault, not the moment. */
    static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }
}
