package dev.sluice.bench.invalidation;

import dev.sluice.bench.support.RealisticPages;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.ds.PGSimpleDataSource;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Changed rows written straight into {@code pages} by SQL, paced, in transactions of {@code batch} rows shaped like a
 * worker's (whole rows, the version moved on): the change feed's load without the API and the workers, so that the
 * invalidator's own figures can be read at a rate the whole pipeline cannot reach on two shared cores.
 */
final class SqlWrites implements AutoCloseable {

    private static final String UPSERT = """
            INSERT INTO pages (id, url, site, title, body_zstd, content_type, status, fetched_at, metadata, version, source_partition,
                               source_offset)
            VALUES (?, ?, ?, ?, ?, 'text/html', 200, ?, ?::jsonb, 1, 0, ?)
            ON CONFLICT (id) DO UPDATE SET title = excluded.title, body_zstd = excluded.body_zstd, fetched_at = excluded.fetched_at,
                metadata = excluded.metadata, version = pages.version + 1, source_offset = excluded.source_offset, updated_at = now()""";

    private final BlockingQueue<Connection> connections;
    private final Disposable ticks;

    private SqlWrites(BlockingQueue<Connection> connections, Disposable ticks) {
        this.connections = connections;
        this.ticks = ticks;
    }

    /**
     * @param written rows handed out so far (the next row's number), shared with earlier and later loads
     * @param fetch the last fetch time handed out (epoch ms), likewise
     * @param accepted rows committed so far, counted up as transactions commit
     * @param failures failed transactions by error
     */
    static SqlWrites start(PGSimpleDataSource database, RealisticPages pages, List<String> ids, int bodySize, int rate, int batch,
            AtomicLong written, AtomicLong fetch, AtomicLong accepted, Map<String, AtomicLong> failures) throws SQLException {
        database.setReWriteBatchedInserts(true); // one multi-row INSERT per transaction, as a worker's set-based upsert
        int concurrency = 4;
        BlockingQueue<Connection> connections = new ArrayBlockingQueue<>(concurrency);
        for (int n = 0; n < concurrency; n++) {
            connections.add(database.getConnection());
        }
        Disposable ticks = Flux.interval(Duration.ofNanos(1_000_000_000L * batch / rate))
                .onBackpressureDrop()
                .flatMap(tick -> Mono.fromRunnable(() -> {
                    long first = written.getAndAdd(batch);
                    try {
                        write(connections, pages, ids, bodySize, first, batch, fetch);
                        accepted.addAndGet(batch);
                    } catch (SQLException e) {
                        failures.computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicLong()).incrementAndGet();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // the load stopping while this batch waited for a connection
                    }
                }).subscribeOn(Schedulers.boundedElastic()), concurrency)
                .subscribe();
        return new SqlWrites(connections, ticks);
    }

    private static void write(BlockingQueue<Connection> connections, RealisticPages pages, List<String> ids, int bodySize, long first,
            int batch, AtomicLong fetch) throws SQLException, InterruptedException {
        Connection db = connections.take();
        try (PreparedStatement upsert = db.prepareStatement(UPSERT); StoredBody.Compressor compressor = StoredBody.compressor()) {
            db.setAutoCommit(false);
            for (long n = first; n < first + batch; n++) {
                int page = (int) (n % ids.size());
                RealisticPages.Fields fields = pages.fields(page, bodySize);
                PageUrl url = PageUrl.parse(fields.url());
                upsert.setString(1, ids.get(page));
                upsert.setString(2, url.normalized());
                upsert.setString(3, url.site());
                upsert.setString(4, fields.title());
                upsert.setBytes(5, compressor.compress(fields.body())); // as the workers store bodies
                upsert.setTimestamp(6, Timestamp.from(Instant.ofEpochMilli(fetch.incrementAndGet())));
                upsert.setString(7, "{\"crawler\":\"" + fields.crawler() + "\"}");
                upsert.setLong(8, n);
                upsert.addBatch();
            }
            upsert.executeBatch();
            db.commit();
        } catch (SQLException e) {
            db.rollback();
            throw e;
        } finally {
            connections.put(db);
        }
    }

    @Override
    public void close() throws SQLException {
        ticks.dispose();
        for (Connection db : connections) {
            db.close();
        }
    }
}
