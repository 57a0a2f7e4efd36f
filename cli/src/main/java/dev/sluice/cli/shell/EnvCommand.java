package dev.sluice.cli.shell;

import dev.sluice.cli.support.CliEnvironment;
import java.io.PrintWriter;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sluice env}: the connection settings the commands use and where each came from. The script fills in what
 * the user's environment does not set from the local stack's files and names those variables in
 * {@code SLUICE_FILLED_IN}, so a setting the user gave always shows, and wins, as "environment".
 */
@Command(name = "env", mixinStandardHelpOptions = true,
        description = "Print the settings the commands use, and whether each came from the environment or the local stack.")
public final class EnvCommand implements Callable<Integer> {

    static final List<String> SETTINGS = List.of("SLUICE_KAFKA_BOOTSTRAP", "SLUICE_KAFKA_SECURITYPROTOCOL", "SLUICE_KAFKA_USERNAME",
            "SLUICE_KAFKA_PASSWORD", "SLUICE_KAFKA_TRUSTSTORE", "SLUICE_PG_URL", "SLUICE_PG_USER", "SLUICE_PG_PASSWORD", "SLUICE_REDIS_URL",
            "SLUICE_REDIS_TRUSTSTORE", "SLUICE_REDIS_KEYPREFIX", "SLUICE_API_URL", "SLUICE_API_KEY");
    static final Set<String> SECRETS = Set.of("SLUICE_KAFKA_PASSWORD", "SLUICE_PG_PASSWORD", "SLUICE_API_KEY");

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    EnvCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        Set<String> filledIn = Set.of(environment.variables().getOrDefault("SLUICE_FILLED_IN", "").split("\\s+"));
        String localStack = "local stack (" + environment.variables().getOrDefault("SLUICE_ENV_FILE", ".sluice/env") + ")";
        PrintWriter out = spec.commandLine().getOut();
        for (String name : SETTINGS) {
            String value = environment.variables().get(name);
            if (value == null) {
                out.printf("%-29s %-45s %s%n", name, "", "not set");
            } else {
                String shown = SECRETS.contains(name) && !value.isEmpty() ? "***" : value.replaceAll("//[^@/]*@", "//***@"); // a URL's password too
                out.printf("%-29s %-45s %s%n", name, shown,
                        filledIn.contains(name) ? localStack : "environment");
            }
        }
        out.flush();
        return 0;
    }
}
