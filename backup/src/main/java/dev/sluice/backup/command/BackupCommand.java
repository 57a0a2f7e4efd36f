package dev.sluice.backup.command;

import dev.sluice.backup.archive.ChangeArchive;
import dev.sluice.backup.restore.BackupVerifier;
import dev.sluice.backup.restore.Drill;
import dev.sluice.backup.restore.Lsn;
import dev.sluice.backup.restore.PointInTimeRestore;
import dev.sluice.backup.restore.Restorer;
import dev.sluice.backup.retention.Retention;
import dev.sluice.backup.snapshot.SnapshotWriter;
import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.DirectoryStore;
import dev.sluice.backup.store.Manifest;
import dev.sluice.backup.store.ObjectStore;
import dev.sluice.backup.store.S3Properties;
import dev.sluice.core.json.Json;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sluice backup}: take, list, verify and restore snapshots from the command line (the worker takes them
 * on its schedule). Connections from {@code SLUICE_PG_URL}, {@code SLUICE_PG_USER}, {@code SLUICE_PG_PASSWORD};
 * the directory from {@code --directory} or {@code SLUICE_BACKUP_DIRECTORY}.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Consistent snapshots of the pipeline's tables: take one, list, verify checksums, restore into a new database.",
        subcommands = {BackupCommand.Take.class, BackupCommand.ListBackups.class, BackupCommand.Verify.class, BackupCommand.Restore.class,
                BackupCommand.DrillCommand.class, BackupCommand.Prune.class})
public final class BackupCommand {

    private final Map<String, String> environment;

    BackupCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    /** The command tree alone, as tests run it; {@code sluice backup} in the CLI is the same tree. */
    public static CommandLine commandLine(Map<String, String> environment) {
        CommandLine commandLine = new CommandLine(new BackupCommand(environment), new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                var constructor = type.getDeclaredConstructor(Map.class);
                constructor.setAccessible(true);
                return constructor.newInstance(environment);
            }
        });
        commandLine.setExecutionExceptionHandler((exception, failed, parseResult) -> {
            failed.getErr().println("sluice backup " + failed.getCommandName() + ": " + exception.getMessage());
            return 1;
        });
        return commandLine;
    }

    abstract static class StoreCommand implements Callable<Integer> {

        @Option(names = "--directory", description = "Where backups are (default: the bucket SLUICE_BACKUP_S3_BUCKET names, with the other "
                + "SLUICE_BACKUP_S3_* settings, else SLUICE_BACKUP_DIRECTORY, else ./backups).")
        Path directory;

        private ObjectStore objects;

        @Spec
        CommandLine.Model.CommandSpec spec;

        final Map<String, String> environment;

        StoreCommand(Map<String, String> environment) {
            this.environment = environment;
        }

        abstract Integer run() throws Exception;

        @Override
        public final Integer call() throws Exception {
            try {
                return run();
            } finally {
                if (objects != null) {
                    objects.close();
                }
            }
        }

        /** The worker's own settings ({@code sluice.backup.directory}, {@code sluice.backup.s3.*}), read from the environment. */
        BackupStore store() {
            if (objects == null) {
                if (directory != null) {
                    objects = new DirectoryStore(directory);
                } else {
                    Binder settings = new Binder(ConfigurationPropertySources.from(
                            new SystemEnvironmentPropertySource("environment", new java.util.HashMap<>(environment))));
                    objects = ObjectStore.of(settings.bind("sluice.backup.directory", Path.class).orElse(Path.of("backups")),
                            settings.bindOrCreate("sluice.backup.s3", S3Properties.class));
                }
            }
            return new BackupStore(objects);
        }

        PGSimpleDataSource dataSource(String database) {
            String url = environment.getOrDefault("SLUICE_PG_URL", "postgresql://localhost:5432/sluice");
            if (database != null) {
                URI uri = URI.create(url);
                url = "postgresql://" + uri.getRawAuthority() + "/" + database + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            }
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setUrl("jdbc:" + url);
            dataSource.setUser(environment.getOrDefault("SLUICE_PG_USER", "sluice"));
            dataSource.setPassword(environment.getOrDefault("SLUICE_PG_PASSWORD", ""));
            return dataSource;
        }

        Manifest backup(String id) throws Exception {
            BackupStore store = store();
            return (id == null ? store.latest() : store.find(id)).orElseThrow(() ->
                    new IllegalArgumentException(id == null ? "no complete backup in " + store.location() : "no complete backup " + id + " in " + store.location()));
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "take", mixinStandardHelpOptions = true, description = "Take a consistent snapshot now.")
    static final class Take extends StoreCommand {

        @Option(names = "--zstd-level", defaultValue = "3", description = "zstd level, 1 (fast) to 19 (small) (default: ${DEFAULT-VALUE}).")
        int level;

        Take(Map<String, String> environment) {
            super(environment);
        }

        @Override
        Integer run() throws Exception {
            long started = System.nanoTime();
            Manifest manifest = new SnapshotWriter(dataSource(null), store(), Clock.systemUTC(), level).snapshot();
            out().printf("Backup %s: %d tables, %,d rows, %,.1f MB (%,.1f MB before compression, %.1fx) in %.1f s, as of %s (LSN %s)%n",
                    manifest.id(), manifest.tables().size(), manifest.rows(),
                    manifest.storedBytes() / 1e6, manifest.rawBytes() / 1e6, manifest.rawBytes() / (double) Math.max(1, manifest.storedBytes()),
                    (System.nanoTime() - started) / 1e9, manifest.snapshotAt(), manifest.lsn());
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List complete backups, oldest first.")
    static final class ListBackups extends StoreCommand {

        @Option(names = "--json", description = "One JSON object per backup, one per line (for scripts).")
        boolean json;

        ListBackups(Map<String, String> environment) {
            super(environment);
        }

        @Override
        Integer run() throws Exception {
            List<Manifest> backups = store().list();
            if (json) {
                for (Manifest backup : backups) {
                    out().println(Json.mapper().writeValueAsString(Json.mapper().createObjectNode()
                            .put("id", backup.id()).put("snapshot_at", backup.snapshotAt().toString()).put("lsn", backup.lsn())
                            .put("rows", backup.rows()).put("stored_bytes", backup.storedBytes()).put("location", store().location())));
                }
                out().flush();
                return 0;
            }
            out().printf("%-21s %-28s %-14s %14s %12s%n", "id", "as of", "LSN", "rows", "MB");
            for (Manifest backup : backups) {
                out().printf("%-21s %-28s %-14s %,14d %,12.1f%n", backup.id(), backup.snapshotAt(), backup.lsn(),
                        backup.rows(), backup.storedBytes() / 1e6);
            }
            out().printf("%d backup(s) in %s%n", backups.size(), store().location());
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = "Check every file of a backup against its checksum (exit 1 if any differs).")
    static final class Verify extends StoreCommand {

        @Parameters(arity = "0..1", paramLabel = "ID", description = "The backup (default: the latest).")
        String id;

        Verify(Map<String, String> environment) {
            super(environment);
        }

        @Override
        Integer run() throws Exception {
            Manifest backup = backup(id);
            List<String> problems = new BackupVerifier(store()).verify(backup);
            problems.forEach(problem -> out().println("  damaged: " + problem));
            out().printf("Backup %s: %d file(s), %s%n", backup.id(), backup.tables().size(), problems.isEmpty() ? "all checksums match" : problems.size() + " damaged");
            return problems.isEmpty() ? 0 : 1;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true,
            description = "Restore a backup into a new database of the same server (refused if any checksum differs).")
    static final class Restore extends StoreCommand {

        @Parameters(arity = "0..1", paramLabel = "ID", description = "The backup (default: the latest).")
        String id;

        @Option(names = "--to-database", required = true, description = "The new database to create and fill.")
        String target;

        @Option(names = "--to", paramLabel = "TIME|LSN", description = "Restore pages as they were at this moment (ISO-8601, like "
                + "2026-11-20T10:15Z) or WAL position (like 0/55B2398): the newest snapshot before it, then the archived changes up to it. "
                + "Without it: the backup as it was taken.")
        String to;

        Restore(Map<String, String> environment) {
            super(environment);
        }

        @Override
        Integer run() throws Exception {
            long started = System.nanoTime();
            if (to != null) {
                if (id != null) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "give a backup ID or --to, not both");
                }
                PointInTimeRestore restore = new PointInTimeRestore(store(), new ChangeArchive(store().objects()), dataSource(null), this::dataSource);
                PointInTimeRestore.Result result;
                if (Lsn.looksLikeOne(to)) {
                    result = restore.restore(Lsn.parse(to), target);
                } else {
                    try {
                        result = restore.restore(java.time.OffsetDateTime.parse(to).toInstant(), target);
                    } catch (java.time.format.DateTimeParseException e) {
                        throw new CommandLine.ParameterException(spec.commandLine(),
                                "--to '" + to + "' is neither an ISO-8601 time with a zone nor a WAL position like 0/55B2398");
                    }
                }
                out().printf("Restored pages as of %s into database %s: snapshot %s (as of %s, LSN %s) and %,d archived change(s), in %.1f s%n",
                        to, target, result.snapshot().id(), result.snapshot().snapshotAt(), result.snapshot().lsn(), result.changesApplied(),
                        (System.nanoTime() - started) / 1e9);
                if (!result.reachedTarget()) {
                    out().printf("Note: the archive holds changes up to %s; anything committed after that (and before %s) is not in it yet.%n",
                            result.archivedUntil(), to);
                }
                if (result.staleSearchEntries() > 0) {
                    out().printf("Search: %,d entries of page_search are as of the snapshot, not of %s; an ingest worker's search indexer "
                            + "reindexes them when it starts on this database (sluice.search.reconcile-at-start).%n", result.staleSearchEntries(), to);
                }
                return 0;
            }
            Manifest backup = backup(id);
            List<Long> rows = new Restorer(store(), dataSource(null), this::dataSource).restore(backup, target);
            out().printf("Restored backup %s (as of %s) into database %s: %,d rows in %.1f s%n", backup.id(), backup.snapshotAt(), target,
                    rows.stream().mapToLong(Long::longValue).sum(), (System.nanoTime() - started) / 1e9);
            return 0;
        }
    }

    @Command(name = "drill", mixinStandardHelpOptions = true,
            description = "Rehearse a restore: restore into a scratch database, compare every table row by row with the snapshot, drop it (exit 1 on a difference).")
    static final class DrillCommand extends StoreCommand {

        @Parameters(arity = "0..1", paramLabel = "ID", description = "The backup (default: the latest).")
        String id;

        DrillCommand(Map<String, String> environment) {
            super(environment);
        }

        @Override
        Integer run() throws Exception {
            Drill.Result result = new Drill(store(), dataSource(null), this::dataSource).run(backup(id));
            for (Drill.TableResult table : result.tables()) {
                out().printf("  %-20s %,12d rows  %s%n", table.table(), table.rows(), table.detail());
            }
            out().printf("Drill of backup %s %s in %.1f s (scratch database %s, dropped)%n", result.backup(),
                    result.passed() ? "passed: every table restored exactly" : "FAILED", result.took().toMillis() / 1000.0, result.scratchDatabase());
            return result.passed() ? 0 : 1;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true,
            description = "Delete the backups the retention policy does not keep (with --dry-run: print what it would delete, and why the rest stay).")
    static final class Prune extends StoreCommand {

        @Option(names = "--keep-last", defaultValue = "7", description = "The newest N (at least 1; default: ${DEFAULT-VALUE}).")
        int keepLast;

        @Option(names = "--keep-daily", defaultValue = "7", description = "The newest of each of the last N days (default: ${DEFAULT-VALUE}).")
        int keepDaily;

        @Option(names = "--keep-weekly", defaultValue = "4", description = "The newest of each of the last N weeks (default: ${DEFAULT-VALUE}).")
        int keepWeekly;

        @Option(names = "--keep-monthly", defaultValue = "6", description = "The newest of each of the last N months (default: ${DEFAULT-VALUE}).")
        int keepMonthly;

        @Option(names = "--dry-run", description = "Print what would be deleted; delete nothing.")
        boolean dryRun;

        Prune(Map<String, String> environment) {
            super(environment);
        }

        @Override
        Integer run() throws Exception {
            BackupStore store = store();
            Retention.Plan plan = new Retention(keepLast, keepDaily, keepWeekly, keepMonthly).plan(store.list(), clock());
            plan.kept().forEach((backup, why) -> out().printf("  keep    %s  (%s)%n", backup.id(), String.join(", ", why)));
            for (Manifest backup : plan.deleted()) {
                out().printf("  %s  %s%n", dryRun ? "would delete" : "delete ", backup.id());
                if (!dryRun) {
                    store.delete(backup);
                }
            }
            out().printf("%d kept, %d %s%n", plan.kept().size(), plan.deleted().size(), dryRun ? "would be deleted (dry run)" : "deleted");
            java.util.Optional<Manifest> oldest = plan.kept().keySet().stream().min(java.util.Comparator.comparing(Manifest::snapshotAt));
            if (oldest.isPresent()) {
                int segments = new ChangeArchive(store.objects()).prune(oldest.get().snapshotAt(), dryRun);
                out().printf("Change archive: %d segment(s) older than the oldest kept snapshot's range %s%n", segments,
                        dryRun ? "would be deleted" : "deleted");
            }
            return 0;
        }

        /** Now, or {@code SLUICE_BACKUP_NOW} (ISO-8601) to see what a prune would do on another day. */
        private Clock clock() {
            String now = environment.get("SLUICE_BACKUP_NOW");
            return now == null ? Clock.systemUTC() : Clock.fixed(java.time.Instant.parse(now), java.time.ZoneOffset.UTC);
        }
    }
}
