package dev.sluice.backup.schedule;

import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.restore.Drill;
import dev.sluice.backup.retention.Retention;
import dev.sluice.backup.snapshot.SnapshotWriter;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.Manifest;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.platform.connection.ConnectionProperties;
import dev.sluice.store.schema.SchemaMigrator;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;
import org.springframework.stereotype.Component;

/**
 * Takes a snapshot on the configured cron schedule, one at a time, and reports on the last one: metrics (age,
 * duration, size, compression ratio, failures) and the {@code backups} health component, DOWN once the last
 * success is older than {@code sluice.backup.max-age} or the last drill failed. After each snapshot, the retention
 * policy deletes what it does not keep. Optionally, restore drills on their own schedule. After a restart, the last
 * success is read from the store.
 */
@Component("backups")
class SnapshotSchedule extends AbstractHealthIndicator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SnapshotSchedule.class);

    /** The last successful snapshot and how long it took. */
    private record Success(Manifest manifest, Duration took) {}

    private final BackupProperties properties;
    private final SnapshotWriter writer;
    private final BackupStore store;
    private final Clock clock;
    private final Instant started;
    private final AtomicReference<Success> last = new AtomicReference<>();
    private final Counter failures;
    private final Counter skipped;
    private final SchemaMigrator schema;
    private final Drill drill;
    private final AtomicReference<Drill.Result> lastDrill = new AtomicReference<>();
    private final AtomicReference<Instant> lastDrillAt = new AtomicReference<>();
    private ThreadPoolTaskScheduler scheduler;

    SnapshotSchedule(BackupProperties properties, ObjectStore objects, DataSource dataSource, SchemaMigrator schema,
            ConnectionProperties connections, MeterRegistry meters) {
        super("Backup check failed");
        this.schema = schema;
        this.properties = properties;
        this.clock = Clock.systemUTC();
        this.store = new BackupStore(objects);
        this.writer = new SnapshotWriter(dataSource, store, clock, properties.zstdLevel());
        this.started = clock.instant();
        this.failures = Counter.builder("sluice.backup.snapshot.failures").description("Snapshots that failed").register(meters);
        this.skipped = Counter.builder("sluice.backup.snapshot.skipped")
                .description("Scheduled snapshots skipped because the schema was not migrated yet").register(meters);
        this.drill = new Drill(store, dataSource, database -> otherDatabase(connections, database));
        Gauge.builder("sluice.backup.drill.last.age", lastDrillAt, at -> at.get() == null ? Double.NaN
                        : Duration.between(at.get(), clock.instant()).toMillis() / 1000.0)
                .baseUnit("seconds").description("Time since the last restore drill").register(meters);
        Gauge.builder("sluice.backup.drill.last.passed", lastDrill, d -> d.get() == null ? Double.NaN : d.get().passed() ? 1 : 0)
                .description("Whether the last restore drill restored every table exactly (1) or not (0)").register(meters);
        Gauge.builder("sluice.backup.snapshot.last.success.age", this, s -> s.age().toMillis() / 1000.0).baseUnit("seconds")
                .description("Time since the last successful snapshot (since start when none)").register(meters);
        Gauge.builder("sluice.backup.snapshot.last.duration", last, l -> l.get() == null ? Double.NaN : l.get().took().toMillis() / 1000.0)
                .baseUnit("seconds").description("How long the last successful snapshot took").register(meters);
        Gauge.builder("sluice.backup.snapshot.last.size", last, l -> l.get() == null ? Double.NaN : l.get().manifest().storedBytes())
                .baseUnit("bytes").description("Stored size of the last successful snapshot").register(meters);
        Gauge.builder("sluice.backup.snapshot.last.compression.ratio", last,
                        l -> l.get() == null || l.get().manifest().rawBytes() == 0 ? Double.NaN
                                : l.get().manifest().rawBytes() / (double) l.get().manifest().storedBytes())
                .description("Size before compression over size stored, last successful snapshot").register(meters);
    }

    /** Takes a snapshot now, then applies the retention policy (the schedule calls it; so can a test). */
    Manifest snapshotNow() throws Exception {
        long begun = System.nanoTime();
        Manifest manifest;
        try {
            manifest = writer.snapshot();
        } catch (Exception e) {
            failures.increment();
            throw e;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - begun);
        last.set(new Success(manifest, took));
        log.info("Snapshot {} taken in {} ms: {} bytes stored ({} before compression), as of {}", manifest.id(), took.toMillis(),
                manifest.storedBytes(), manifest.rawBytes(), manifest.snapshotAt());
        BackupProperties.Retention keep = properties.retention();
        Retention.Plan plan = new Retention(keep.keepLast(), keep.keepDaily(), keep.keepWeekly(), keep.keepMonthly()).plan(store.list(), clock);
        for (Manifest old : plan.deleted()) {
            store.delete(old);
            log.info("Retention: deleted backup {} (as of {})", old.id(), old.snapshotAt());
        }
        Instant oldestKept = plan.kept().keySet().stream().map(Manifest::snapshotAt).min(Instant::compareTo).orElse(manifest.snapshotAt());
        int segments = new ChangeArchive(store.objects()).prune(oldestKept, false);
        if (segments > 0) {
            log.info("Retention: deleted {} change archive segment(s) from before the oldest kept snapshot's range", segments);
        }
        return manifest;
    }

    /** Restores the latest backup into a scratch database and compares it row by row (the drill schedule calls it). */
    void drillNow() throws Exception {
        Manifest latest = store.latest().orElseThrow(() -> new IllegalStateException("no backup to drill yet"));
        Drill.Result result = drill.run(latest);
        lastDrill.set(result);
        lastDrillAt.set(clock.instant());
        if (result.passed()) {
            log.info("Drill of backup {} passed in {} ms: every table restored exactly", latest.id(), result.took().toMillis());
        } else {
            log.error("Drill of backup {} FAILED: {}", latest.id(), result.tables());
        }
    }

    /** The same server, another database (the drill's scratch database). */
    private static DataSource otherDatabase(ConnectionProperties connections, String database) {
        ConnectionProperties.Postgres pg = connections.pg();
        org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
        dataSource.setServerNames(new String[] {pg.host()});
        dataSource.setPortNumbers(new int[] {pg.port()});
        dataSource.setDatabaseName(database);
        dataSource.setUser(pg.user());
        dataSource.setPassword(pg.password());
        return dataSource;
    }

    private Duration age() {
        Success success = last.get();
        return Duration.between(success == null ? started : success.manifest().finishedAt(), clock.instant());
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        Success success = last.get();
        Duration age = age();
        Drill.Result drilled = lastDrill.get();
        boolean drillFailed = drilled != null && !drilled.passed();
        builder.status(age.compareTo(properties.maxAge()) <= 0 && !drillFailed ? "UP" : "DOWN")
                .withDetail("lastDrill", drilled == null ? "none yet" : drilled.backup() + (drilled.passed() ? " passed" : " FAILED"))
                .withDetail("lastSnapshot", success == null ? "none yet" : success.manifest().id())
                .withDetail("age", age.toString())
                .withDetail("maxAge", properties.maxAge().toString())
                .withDetail("schedule", properties.schedule());
    }

    @Override
    public void start() {
        try {
            store.latest().ifPresent(manifest -> last.set(new Success(manifest,
                    Duration.between(manifest.snapshotAt(), manifest.finishedAt()))));
        } catch (IOException e) {
            log.warn("Cannot read the backups in {}: {}", store.location(), e.toString());
        }
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("snapshot-");
        scheduler.initialize();
        if (!"-".equals(properties.drillSchedule())) {
            scheduler.schedule(() -> {
                try {
                    drillNow();
                } catch (Exception e) {
                    log.error("Scheduled drill failed to run", e);
                }
            }, new CronTrigger(properties.drillSchedule()));
        }
        if (!"-".equals(properties.schedule())) {
            scheduler.schedule(() -> {
                if (!schema.isUpToDate()) { // a new deployment: the ingest worker has not migrated the schema yet
                    skipped.increment();
                    log.info("Scheduled snapshot skipped: the schema is not migrated yet");
                    return;
                }
                try {
                    snapshotNow();
                } catch (Exception e) {
                    log.error("Scheduled snapshot failed (the next one runs on schedule)", e);
                }
            }, new CronTrigger(properties.schedule()));
            log.info("Snapshots on schedule '{}' into {}", properties.schedule(), store.location());
        }
    }

    @Override
    public void stop() {
        if (scheduler != null) {
            scheduler.shutdown();
        }
    }

    @Override
    public boolean isRunning() {
        return scheduler != null && scheduler.isRunning();
    }
}
