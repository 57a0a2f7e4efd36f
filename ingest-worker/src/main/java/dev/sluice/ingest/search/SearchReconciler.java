package dev.sluice.ingest.search;

import dev.sluice.store.search.SearchIndex;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * Once at start, brings {@code page_search} level with {@code pages} where they disagree: a live page with no entry
 * or an entry of another version, an entry of a deleted or vanished page. The change feed keeps them level from then
 * on; this covers what it never carried, such as a database restored to a point in time (its search index is its
 * snapshot's). Keyset-paged by page id, batches through the indexer's own idempotent path, in the background.
 */
final class SearchReconciler {

    private static final Logger log = LoggerFactory.getLogger(SearchReconciler.class);
    private static final int BATCH = 500;

    private static final String PAGES_OUT_OF_STEP = """
            SELECT p.id FROM pages p LEFT JOIN page_search s ON s.id = p.id
            WHERE p.id > ? AND CASE WHEN p.deleted_at IS NULL THEN s.id IS NULL OR s.page_version <> p.version ELSE s.id IS NOT NULL END
            ORDER BY p.id LIMIT ?""";

    private static final String ENTRIES_OF_NO_PAGE = """
            SELECT s.id FROM page_search s WHERE s.id > ? AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.id = s.id)
            ORDER BY s.id LIMIT ?""";

    /** Entries indexed before fingerprints existed (V12). */
    private static final String ENTRIES_WITHOUT_FINGERPRINT = """
            SELECT s.id FROM page_search s WHERE s.id > ? AND s.simhash IS NULL AND s.content ~ '[[:alnum:]]'
            ORDER BY s.id LIMIT ?""";

    private final boolean enabled;
    private final boolean fingerprints;
    private final DataSource dataSource;
    private final SearchIndex index;
    private final SearchResultsCache results;
    private final Counter reconciled;

    SearchReconciler(boolean enabled, boolean fingerprints, DataSource dataSource, SearchIndex index, SearchResultsCache results,
            MeterRegistry meters) {
        this.enabled = enabled;
        this.fingerprints = fingerprints;
        this.dataSource = dataSource;
        this.index = index;
        this.results = results;
        this.reconciled = Counter.builder("sluice.search.reconciled").description("Pages reindexed at start because their entry did not match")
                .register(meters);
    }

    @EventListener(ApplicationReadyEvent.class)
    void startInTheBackground() {
        if (enabled) {
            Thread thread = new Thread(this::reconcileQuietly, "search-reconciler");
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void reconcileQuietly() {
        try {
            long started = System.nanoTime();
            long pages = reconcile();
            if (pages > 0) {
                log.info("Search index reconciled with pages: {} page(s) reindexed or fingerprinted in {} ms", pages, (System.nanoTime() - started) / 1_000_000);
            }
        } catch (SQLException | RuntimeException e) {
            log.warn("Could not reconcile the search index with pages at start (the change feed still indexes every new change): {}",
                    e.toString());
        }
    }

    /** Reindexes every page whose entry is out of step, and fingerprints the entries without one; returns how many. */
    long reconcile() throws SQLException {
        return pass(PAGES_OUT_OF_STEP, true) + pass(ENTRIES_OF_NO_PAGE, true)
                + (fingerprints ? pass(ENTRIES_WITHOUT_FINGERPRINT, false) : 0);
    }

    private long pass(String query, boolean reindex) throws SQLException {
        long total = 0;
        String after = "";
        while (true) {
            List<String> ids = new ArrayList<>(BATCH);
            try (Connection db = dataSource.getConnection(); PreparedStatement select = db.prepareStatement(query)) {
                select.setString(1, after);
                select.setInt(2, BATCH);
                try (ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            if (ids.isEmpty()) {
                return total;
            }
            if (reindex) {
                results.retire(index.apply(ids).sites());
                reconciled.increment(ids.size());
            } else {
                index.fingerprint(ids);
            }
            total += ids.size();
            after = ids.get(ids.size() - 1);
        }
    }
}
