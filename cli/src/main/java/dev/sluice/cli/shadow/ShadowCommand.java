package dev.sluice.cli.shadow;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.core.topic.Topics;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sluice shadow diff|swap|drop}: compare a shadow table rebuilt by a replay with {@code pages}, and adopt it. */
@Command(name = "shadow", mixinStandardHelpOptions = true,
        description = "Compare a shadow table (built by 'sluice replay --into shadow') with the live pages table, swap it in, drop it.",
        subcommands = {ShadowCommand.Diff.class, ShadowCommand.Swap.class, ShadowCommand.Drop.class})
public final class ShadowCommand {

    abstract static class TableCommand implements Callable<Integer> {

        @Option(names = "--table", defaultValue = "pages_shadow", description = "The shadow table (default: ${DEFAULT-VALUE}).")
        String table;

        @Option(names = "--topic", defaultValue = Topics.PAGES, description = "The topic the shadow was replayed from (default: ${DEFAULT-VALUE}).")
        String topic;

        @Spec
        CommandLine.Model.CommandSpec spec;

        final CliEnvironment environment;

        TableCommand(CliEnvironment environment) {
            this.environment = environment;
        }

        @Override
        public Integer call() throws Exception {
            ShadowTable shadow = new ShadowTable(table, topic);
            try (Connection db = environment.dataSource().getConnection()) {
                if (!shadow.exists(db)) {
                    spec.commandLine().getErr().println("No table " + table + ": build it with 'sluice replay --into shadow --table " + table + "'.");
                    return 1;
                }
                try {
                    shadow.requireShadow(db);
                } catch (ShadowTable.NotAShadowException e) {
                    spec.commandLine().getErr().println("Refused: " + e.getMessage() + ".");
                    return 1;
                }
                return run(shadow, db, spec.commandLine().getOut());
            }
        }

        abstract int run(ShadowTable shadow, Connection db, PrintWriter out) throws Exception;

        static void print(PrintWriter out, ShadowTable.Diff diff) {
            out.printf("  added      %,12d  pages in the shadow only%n", diff.added());
            out.printf("  changed    %,12d  pages whose content differs%n", diff.changed());
            out.printf("  removed    %,12d  live pages not in the shadow%n", diff.removed());
            out.printf("  kept       %,12d  live pages newer than the replay (left as they are)%n", diff.keptNewerInLive());
            out.printf("  outside    %,12d  live pages that differ but were written before the replay's range (left as they are)%n",
                    diff.keptOutside());
            out.printf("  unchanged  %,12d%n", diff.unchanged());
        }

        /** What the replay read, per partition: only live pages written in that range can be changed or removed. */
        static void printCoverage(PrintWriter out, ShadowTable shadow, Connection db, String topic) throws SQLException {
            List<ShadowTable.Coverage> coverage = shadow.coverage(db);
            if (coverage.isEmpty()) {
                out.println("  The shadow holds no replay of " + topic + ": it covers no live page (was it replayed from another --topic?).");
                return;
            }
            out.println("  Replayed from " + topic + " (a live page is changed or removed only if written in this range):");
            for (ShadowTable.Coverage range : coverage) {
                out.println(range.first() == null
                        ? "    partition %d: start not recorded (replayed by an earlier version): covers nothing; replay again with --restart"
                                .formatted(range.partition())
                        : "    partition %d: offsets %,d to %,d".formatted(range.partition(), range.first(), range.next()));
            }
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true, description = "Count the pages added, changed and removed in the shadow against pages.")
    static final class Diff extends TableCommand {

        Diff(CliEnvironment environment) {
            super(environment);
        }

        @Override
        int run(ShadowTable shadow, Connection db, PrintWriter out) throws Exception {
            out.println("Shadow " + shadow.name() + " against pages:");
            printCoverage(out, shadow, db, topic);
            print(out, shadow.diff(db));
            return 0;
        }
    }

    @Command(name = "swap", mixinStandardHelpOptions = true,
            description = "Make pages agree with the shadow, in one transaction: insert added pages, rewrite changed ones, tombstone removed "
                    + "ones. Only live pages written in the range the replay read are changed or removed: pages written after it, or before "
                    + "its start (--from, or records retention removed), are kept. Changes reach the cache and search like any write.")
    static final class Swap extends TableCommand {

        @Option(names = "--yes", description = "Do it (without it, only the diff is printed).")
        boolean yes;

        Swap(CliEnvironment environment) {
            super(environment);
        }

        @Override
        int run(ShadowTable shadow, Connection db, PrintWriter out) throws Exception {
            if (!yes) {
                out.println("Would swap shadow " + shadow.name() + " into pages (add --yes to do it):");
                printCoverage(out, shadow, db, topic);
                print(out, shadow.diff(db));
                return 0;
            }
            ShadowTable.Diff swapped = shadow.swap(db);
            out.println("Swapped shadow " + shadow.name() + " into pages, in one transaction:");
            printCoverage(out, shadow, db, topic);
            print(out, swapped);
            return 0;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true,
            description = "Drop the shadow table and its replay's progress (only a table made by 'sluice replay --into shadow').")
    static final class Drop extends TableCommand {

        @Option(names = "--yes", description = "Do it (without it, only what would be dropped is printed).")
        boolean yes;

        Drop(CliEnvironment environment) {
            super(environment);
        }

        @Override
        int run(ShadowTable shadow, Connection db, PrintWriter out) throws Exception {
            if (!yes) {
                out.printf("Would drop shadow %s (%,d rows) and its replay's progress (add --yes to do it).%n", shadow.name(), shadow.rows(db));
                return 0;
            }
            shadow.drop(db);
            out.println("Dropped " + shadow.name() + ".");
            return 0;
        }
    }
}
