package dev.sluice.bench.backup;

import dev.sluice.bench.ingest.BenchRow;
import dev.sluice.bench.ingest.Limits;
import dev.sluice.bench.support.BenchEnvironment;
import dev.sluice.bench.support.Medians;
import dev.sluice.bench.support.RealisticPages;
import dev.sluice.bench.support.SluiceJar;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.PostgresNode;
import dev.sluice.infra.stack.StackOptions;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The backup path on a database of realistic pages: {@code sluice backup take} and {@code restore} (the real CLI,
 * its own JVM) against {@code pg_dump -Fc} and {@code pg_restore} of the same tables in the same run, and against
 * what {@code pg_dump -Fc} does, done here (each table's {@code COPY} through zlib at its default level, and back).
 * pg_dump refuses a server newer than itself: when the PATH's pg_dump is older than the stack's server and that
 * version's binaries are beside the benchmarks, everything runs on a server of pg_dump's version instead.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = "Backup path: snapshot and restore time and size against pg_dump -Fc / pg_restore (or their equivalent) of the same tables.")
public final class BackupBenchmark implements Callable<Integer> {

    @Option(names = "--pages", defaultValue = "500000", description = "Pages in the database (default: ${DEFAULT-VALUE}).")
    int pageCount;

    @Option(names = "--body-size", defaultValue = "4096", description = "Body size in bytes (default: ${DEFAULT-VALUE}).")
    int bodySize;

    @Option(names = "--rounds", defaultValue = "3", description = "Measurements of each phase; medians are reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--home", defaultValue = "${sys:sluice.home:-.}", description = "The checkout whose built jars to run.")
    Path home;

    private static final List<String> TABLES = List.of("pages", "page_search", "consumer_positions", "api_keys");
    private static final Pattern TAKEN = Pattern.compile("Backup \\S+: .*?, ([\\d,.]+) MB \\(.*\\) in ([\\d.]+) s");
    private static final Pattern RESTORED = Pattern.compile("Restored backup .* in ([\\d.]+) s");

    private int restores;

    @Override
    public Integer call() throws Exception {
        SluiceJar.in(home);
        System.out.printf("Backup path benchmark: %,d pages of %d B bodies, %d round(s) per phase%n", pageCount, bodySize, rounds);
        try (BenchEnvironment environment = BenchEnvironment.start(home)) {
            compare(environment);
        }
        return 0;
    }

    private void compare(BenchEnvironment environment) throws Exception {
        PostgresNode ownServer = null;
        try {
            Connections target = environment.connections();
            Integer pgDump = pgDumpMajor();
            int server = serverMajor(target.dataSource());
            Path binaries = home.resolve("benchmarks").resolve("target").resolve("postgres-binaries").resolve("postgres-" + pgDump + ".jar");
            if (pgDump != null && pgDump != server && Files.isRegularFile(binaries)) {
                // the PATH's pg_dump cannot dump this server: measure both on a server of pg_dump's own version
                ownServer = PostgresNode.start(environment.directory().resolve("postgres-" + pgDump), StackOptions.defaultBinariesCache(), 0, true, binaries);
                try (Connection admin = new Connections(target.kafkaBootstrap(), ownServer.url("postgres"), PostgresNode.USER, "", target.redisUrl())
                        .dataSource().getConnection(); Statement statement = admin.createStatement()) {
                    statement.execute("CREATE DATABASE sluice");
                }
                target = new Connections(target.kafkaBootstrap(), ownServer.url("sluice"), PostgresNode.USER, "", target.redisUrl());
                server = pgDump;
            }
            boolean realPgDump = pgDump != null && pgDump == server;
            System.out.printf("  server: PostgreSQL %d%s; anchor: %s%n", server, ownServer != null ? " (from Maven, to match pg_dump)" : "",
                    realPgDump ? "pg_dump -Fc / pg_restore " + pgDump + ", and what pg_dump -Fc does by hand (COPY through zlib 6)"
                            : "no pg_dump of the server's version; what pg_dump -Fc does by hand (COPY of each table through zlib 6, and back)");
            DataSource db = target.dataSource();
            new SchemaMigrator(db).migrate();
            long loading = System.nanoTime();
            List<BenchRow> rows = BenchRow.generate(new RealisticPages(), 0, pageCount, bodySize, Instant.parse("2026-11-20T10:15:30Z"));
            Limits.copy(db, "pages", rows);
            rows.clear();
            try (Connection connection = db.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("VACUUM ANALYZE pages");
                statement.execute("CHECKPOINT");
            }
            System.out.printf("  loaded %,d pages (%.0f MB in the table) in %.1f s%n", pageCount, tableMegabytes(db), seconds(loading));

            Path work = Files.createDirectories(environment.directory().resolve("backup-bench"));
            List<double[]> ours = new ArrayList<>();
            List<double[]> dumps = new ArrayList<>();
            List<double[]> byHand = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("%n-- round %d of %d%n", round, rounds);
                ours.add(sluice(target, work.resolve("sluice-" + round)));
                if (realPgDump) {
                    dumps.add(pgDump(target, work.resolve("dump-" + round)));
                }
                byHand.add(zlibCopy(target, work.resolve("zlib-" + round)));
            }
            double[] sluice = medians(ours);
            double[] zlib = medians(byHand);
            System.out.printf("%n%,d pages of %d B bodies, PostgreSQL %d; medians of %d%n", pageCount, bodySize, server, rounds);
            System.out.printf("  %-40s %12s %12s %12s%n", "", "snapshot s", "size MB", "restore s");
            double[] anchor = zlib;
            if (realPgDump) {
                anchor = medians(dumps);
                System.out.printf("  %-40s %12.1f %12.1f %12.1f%n", "pg_dump -Fc / pg_restore", anchor[0], anchor[1], anchor[2]);
            }
            System.out.printf("  %-40s %12.1f %12.1f %12.1f%n", "COPY + zlib 6 (what pg_dump -Fc does)", zlib[0], zlib[1], zlib[2]);
            System.out.printf("  %-40s %12.1f %12.1f %12.1f%n", "sluice backup take / restore", sluice[0], sluice[1], sluice[2]);
            if (realPgDump) {
                System.out.printf("  %-40s %11.2fx %11.2fx %11.2fx%n", "sluice / pg_dump", sluice[0] / anchor[0], sluice[1] / anchor[1], sluice[2] / anchor[2]);
            }
            System.out.printf("  %-40s %11.2fx %11.2fx %11.2fx%n", "sluice / COPY + zlib 6", sluice[0] / zlib[0], sluice[1] / zlib[1], sluice[2] / zlib[2]);
            System.out.println("""

                    All restore into a new database. sluice's times are the CLI's own (its JVM's start excluded); its restore
                    includes creating the database and migrating the schema, and verifying every checksum first.""");
        } finally {
            if (ownServer != null) {
                ownServer.close();
            }
        }
    }

    /** {seconds to snapshot, MB stored, seconds to restore} with the real CLI. */
    private double[] sluice(Connections target, Path directory) throws Exception {
        String take = cli(target, "take", "--directory", directory.toString());
        Matcher taken = TAKEN.matcher(take);
        if (!taken.find()) {
            throw new IllegalStateException("no summary in:\n" + take);
        }
        String restore = cli(target, "restore", "--to-database", "bench_restored_" + ++restores, "--directory", directory.toString());
        Matcher restored = RESTORED.matcher(restore);
        if (!restored.find()) {
            throw new IllegalStateException("no summary in:\n" + restore);
        }
        double[] result = {Double.parseDouble(taken.group(2)), Double.parseDouble(taken.group(1).replace(",", "")), Double.parseDouble(restored.group(1))};
        System.out.printf("  sluice backup: snapshot %.1f s, %.1f MB; restore %.1f s%n", result[0], result[1], result[2]);
        restore.lines().filter(line -> line.contains("INFO")).forEach(line -> System.out.println("    " + line)); // where the restore's time went
        return result;
    }

    /** {@code sluice backup <args>}, as an operator runs it. */
    private String cli(Connections target, String... args) throws Exception {
        List<String> command = SluiceJar.command(home, List.of("-Xmx1g"), "backup");
        Collections.addAll(command, args);
        return run(command, target.toEnvironment());
    }

    /** pg_dump and pg_restore of the database (the same tables, and the functions their triggers need), custom format (zlib, default level). */
    private double[] pgDump(Connections connections, Path file) throws Exception {
        Map<String, String> env = Map.of("PGPASSWORD", connections.postgresPassword());
        List<String> dump = new ArrayList<>(List.of("pg_dump", "-Fc", "-f", file.toString(), "-d", connections.postgresUrl(), "-U", connections.postgresUser()));
        long started = System.nanoTime();
        run(dump, env);
        double dumpSeconds = seconds(started);
        String database = "bench_pg_restored_" + ++restores;
        try (Connection connection = connections.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        started = System.nanoTime();
        run(List.of("pg_restore", "--no-owner", "-d", connections.withDatabase(database).postgresUrl(), "-U", connections.postgresUser(),
                file.toString()), env);
        double[] result = {dumpSeconds, Files.size(file) / 1e6, seconds(started)};
        System.out.printf("  pg_dump -Fc: %.1f s, %.1f MB; pg_restore %.1f s%n", result[0], result[1], result[2]);
        return result;
    }

    /** What pg_dump -Fc does with each table's data: COPY out through zlib at level 6; back with COPY in. */
    private double[] zlibCopy(Connections connections, Path directory) throws Exception {
        Files.createDirectories(directory);
        long started = System.nanoTime();
        long bytes = 0;
        try (Connection db = connections.dataSource().getConnection()) {
            db.setAutoCommit(false);
            db.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            for (String table : TABLES) {
                Path file = directory.resolve(table + ".gz");
                try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16), 1 << 16)) {
                    db.unwrap(PGConnection.class).getCopyAPI().copyOut("COPY " + table + " TO STDOUT", out);
                }
                bytes += Files.size(file);
            }
            db.commit();
        }
        double dumpSeconds = seconds(started);
        String database = "bench_zlib_restored_" + ++restores;
        try (Connection connection = connections.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        }
        DataSource target = connections.withDatabase(database).dataSource();
        started = System.nanoTime();
        new SchemaMigrator(target).migrate();
        try (Connection db = target.getConnection()) {
            db.setAutoCommit(false);
            for (String table : TABLES) {
                try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(directory.resolve(table + ".gz")), 1 << 16), 1 << 16)) {
                    db.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " FROM STDIN", in);
                }
            }
            db.commit();
        }
        double[] result = {dumpSeconds, bytes / 1e6, seconds(started)};
        System.out.printf("  COPY + zlib 6: %.1f s, %.1f MB; back %.1f s%n", result[0], result[1], result[2]);
        return result;
    }

    private static int serverMajor(DataSource db) throws Exception {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SHOW server_version_num")) {
            row.next();
            return Integer.parseInt(row.getString(1)) / 10000;
        }
    }

    /** The major version of the pg_dump (and pg_restore) on the PATH, or null when there is none. */
    private static Integer pgDumpMajor() throws Exception {
        try {
            String version = run(List.of("pg_dump", "--version"), Map.of()).trim();
            run(List.of("pg_restore", "--version"), Map.of());
            Matcher major = Pattern.compile("(\\d+)\\.").matcher(version);
            return major.find() ? Integer.valueOf(major.group(1)) : null;
        } catch (IOException e) {
            return null; // no pg_dump at all
        }
    }

    private static String run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            output = String.join("\n", reader.lines().toList());
        }
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }

    private static double tableMegabytes(DataSource db) throws Exception {
        try (Connection connection = db.getConnection(); Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT pg_total_relation_size('pages')")) {
            row.next();
            return row.getLong(1) / 1e6;
        }
    }

    private static double[] medians(List<double[]> rounds) {
        double[] medians = new double[rounds.get(0).length];
        for (int i = 0; i < medians.length; i++) {
            int column = i;
            medians[i] = Medians.of(rounds.stream().map(r -> r[column]).toList());
        }
        return medians;
    }

    private static double seconds(long started) {
        return (System.nanoTime() - started) / 1e9;
    }
}
