package dev.sluice.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code sluice} script and the one jar it runs (built earlier in the reactor; {@code SLUICE_NO_BUILD} keeps the
 * script from rebuilding it): what the user's environment sets always wins over the local stack's file, and
 * every command is listed, versioned and completed.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "the sluice script is a bash script")
class SluiceScriptIT {

    static final Path SCRIPT = Path.of("..", "sluice");

    @TempDir
    Path folder;

    @Test
    void aVariableTheUserSetWinsOverTheLocalStacksFileWhichFillsInTheRest() throws Exception {
        Path file = folder.resolve("env");
        Files.writeString(file, """
                # Connection settings of the running local stack (sluice run).
                SLUICE_KAFKA_BOOTSTRAP='localhost:1111'
                SLUICE_PG_URL='postgresql://localhost:2222/sluice'
                SLUICE_PG_PASSWORD='it'\\''s secret'
                SLUICE_API_URL='http://localhost:8080'
                """);

        String settings = run(Map.of("SLUICE_ENV_FILE", file.toString(), "SLUICE_API_URL", "https://crawl.example", "SLUICE_API_KEY", "sk_x"),
                "env");

        assertThat(settings.lines().toList()).anySatisfy(line -> assertThat(line).matches("SLUICE_API_URL +https://crawl\\.example +environment"))
                .anySatisfy(line -> assertThat(line).matches("SLUICE_KAFKA_BOOTSTRAP +localhost:1111 +local stack .*"))
                .anySatisfy(line -> assertThat(line).matches("SLUICE_PG_PASSWORD +\\*\\*\\* +local stack .*"))
                .anySatisfy(line -> assertThat(line).matches("SLUICE_API_KEY +\\*\\*\\* +environment"))
                .anySatisfy(line -> assertThat(line).matches("SLUICE_REDIS_URL +not set"));
    }

    @Test
    void helpListsEveryCommandAndEveryCommandHasHelp() throws Exception {
        List<String> commands = List.of("run", "import", "export", "replay", "shadow", "backup", "keys", "cache", "bench", "env", "completion");
        String help = run(Map.of(), "help");
        assertThat(commands).allSatisfy(command -> assertThat(help).containsPattern("(?m)^  " + command + " +\\S"));
        assertThat(run(Map.of(), "--help")).isEqualTo(help);
        assertThat(run(Map.of(), "bench", "--help")).contains("write", "read", "ingest", "invalidation", "replay", "backup");
        assertThat(run(Map.of(), "run", "--help")).contains("--workers", "--data-dir");
    }

    @Test
    void versionNamesTheReleaseAndTheCommit() throws Exception {
        assertThat(run(Map.of(), "--version")).containsPattern("^sluice \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?( \\(commit [0-9a-f]+\\))?\\n");
    }

    @Test
    void bashCompletionCompletesCommandsTheirSubcommandsAndOptions() throws Exception {
        Path completion = folder.resolve("completion.bash");
        Files.writeString(completion, run(Map.of(), "completion"));
        String completed = run(Map.of(), "-c", """
                source "$1"
                complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                                   COMPREPLY=(); _complete_sluice 2>/dev/null; echo "${COMPREPLY[*]}"; }
                complete_words ./sluice sha
                complete_words ./sluice backup l
                complete_words ./sluice replay --into s
                complete_words ./sluice keys list --j
                complete_words ./sluice cache c
                complete -p ./sluice
                """, "completion-test", completion.toString());
        assertThat(completed.lines().toList()).containsExactly("shadow", "list", "shadow", "--json", "check",
                "complete -o default -F _complete_sluice ./sluice");
    }

    private String run(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(new java.util.ArrayList<>(List.of("bash")));
        if (!args[0].equals("-c")) {
            builder.command().add(SCRIPT.toString());
        }
        builder.command().addAll(List.of(args));
        builder.environment().keySet().removeIf(name -> name.startsWith("SLUICE_"));
        builder.environment().putAll(environment);
        builder.environment().put("SLUICE_NO_BUILD", "1");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out;
    }
}
