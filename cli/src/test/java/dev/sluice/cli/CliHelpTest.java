package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.support.CliEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Every command explains itself, and a wrong invocation says what is wrong without touching anything. */
class CliHelpTest {

    @Test
    void theRootHelpListsEveryCommand() {
        String help = run("--help").out;
        assertThat(help).contains("run", "import", "export", "replay", "shadow", "backup", "keys", "cache", "bodies", "bench", "env", "completion", "help");
    }

    @ParameterizedTest
    @CsvSource({
            "replay, --into|--from|--to|--from-offset|--to-offset|--partition|--max-rate|--dry-run|--restart",
            "shadow diff, --table|--topic",
            "shadow swap, --yes|--table",
            "shadow drop, --table",
            "import, --format|--batch|--concurrency|--rejects|--key|--api",
            "export, --format|--site|--from|--to|--output",
            "backup take, --directory|--zstd-level",
            "backup restore, --to-database|--directory",
            "keys create, --name|--rate|--burst|--scopes",
            "keys list, --json",
            "cache check, --sample",
            "bodies compress, --batch|--max-rate|--dry-run",
            "run, --workers|--data-dir|--api-port",
            "bench ingest, --body-sizes"})
    void eachCommandHasHelpNamingItsOptions(String command, String options) {
        Result result = run((command + " --help").split(" "));
        assertThat(result.exitCode).isZero();
        assertThat(result.out).startsWith("Usage: sluice " + command).contains(options.split("\\|"));
    }

    @Test
    void aWrongInvocationIsAUsageError() {
        Result noTarget = run("replay", "--from", "2026-11-20T10:00Z");
        assertThat(noTarget.exitCode).isEqualTo(2);
        assertThat(noTarget.err).contains("Missing required option: '--into=<into>'");

        Result badTime = run("replay", "--into", "postgres", "--from", "yesterday");
        assertThat(badTime.exitCode).isEqualTo(2);
        assertThat(badTime.err).contains("--from").contains("'yesterday' is not an ISO-8601 time");

        Result backwards = run("replay", "--into", "postgres", "--from", "2026-11-20T10:00Z", "--to", "2026-11-20T09:00Z");
        assertThat(backwards.exitCode).isEqualTo(2);
        assertThat(backwards.err).contains("must be after --from");

        Result noSubcommand = run("bodies");
        assertThat(noSubcommand.exitCode).isEqualTo(2);
        assertThat(noSubcommand.err).contains("Missing required subcommand").contains("compress");

        Result noBatch = run("bodies", "compress", "--batch", "0");
        assertThat(noBatch.exitCode).isEqualTo(2);
        assertThat(noBatch.err).contains("--batch must be between 1 and 10000");

        Result warcToStdout = run("export", "--format", "warc");
        assertThat(warcToStdout.exitCode).isEqualTo(2);
        assertThat(warcToStdout.err).contains("--format warc needs --output");

        Result noKey = run("import", "pages.ndjson");
        assertThat(noKey.exitCode).isEqualTo(2);
        assertThat(noKey.err).contains("an API key is needed");
    }

    @Test
    void theVersionNamesTheRelease() {
        assertThat(run("--version").out).containsPattern("^sluice \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
    }

    @Test
    void aMisspelledCommandIsAUsageErrorThatSuggestsTheRightOne() {
        Result result = run("shadw", "diff");
        assertThat(result.exitCode).isEqualTo(2);
        assertThat(result.err).contains("Unmatched argument").contains("shadow");
    }

    private record Result(int exitCode, String out, String err) {}

    private static Result run(String... args) {
        CommandLine commandLine = SluiceCli.commandLine(new CliEnvironment(Map.of()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        return new Result(commandLine.execute(args), out.toString(), err.toString());
    }
}
