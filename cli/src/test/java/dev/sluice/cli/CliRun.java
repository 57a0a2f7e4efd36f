package dev.sluice.cli;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.infra.stack.Connections;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;

/** Runs {@code sluice ...} in this JVM against a stack, as the script would, capturing what it prints. */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun of(Connections connections, String... args) {
        return of(connections, Map.of(), args);
    }

    public static CliRun of(Connections connections, Map<String, String> extraEnvironment, String... args) {
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.putAll(extraEnvironment);
        CommandLine commandLine = SluiceCli.commandLine(new CliEnvironment(environment));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    @Override
    public String toString() {
        return "exit " + exitCode + "\n--- out\n" + out + "--- err\n" + err;
    }
}
