package dev.sluice.cli.keys;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.core.json.Json;
import dev.sluice.store.apikey.ApiKeyRecords;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sluice keys create|list|revoke}: manages API keys in PostgreSQL directly (no API instance needed).
 * A new key is printed once; only its SHA-256 is stored.
 */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Create, list and revoke API keys.",
        subcommands = {ApiKeysCommand.Create.class, ApiKeysCommand.ListKeys.class, ApiKeysCommand.Revoke.class})
public final class ApiKeysCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    ApiKeysCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    Connection connect() throws SQLException {
        return environment.connect();
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a key and print it (once).")
    static final class Create implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        ApiKeysCommand parent;

        @Option(names = "--name", required = true, description = "A unique name: it becomes the client of every write.")
        String name;

        @Option(names = "--rate", defaultValue = "100", description = "Pages per second, sustained (default: ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--burst", defaultValue = "1000", description = "Pages at once; also the largest batch (default: ${DEFAULT-VALUE}).")
        int burst;

        @Option(names = "--scopes", split = ",", defaultValue = "read,write", description = "read, write, or both (default: ${DEFAULT-VALUE}).")
        List<String> scopes;

        @Override
        public Integer call() throws SQLException {
            PrintWriter out = spec.commandLine().getOut();
            if (!List.of("read", "write").containsAll(scopes) || rate < 1 || burst < 1) {
                spec.commandLine().getErr().println("scopes must be read and/or write; rate and burst at least 1");
                return 2;
            }
            String key;
            try (Connection db = parent.connect()) {
                key = ApiKeyRecords.create(db, name, rate, burst, scopes);
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) {
                    spec.commandLine().getErr().println("a key named '" + name + "' already exists");
                    return 1;
                }
                throw e;
            }
            out.println(key);
            out.flush();
            spec.commandLine().getErr().println("Created key '" + name + "' (id " + key.substring(4, 12) + ", " + rate + " pages/s, burst "
                    + burst + ", scopes " + String.join(",", scopes) + "). Store it now: it cannot be shown again.");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List keys (never their secrets).")
    static final class ListKeys implements Callable<Integer> {

        @Option(names = "--json", description = "One JSON object per key, one per line (for scripts).")
        boolean json;

        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        ApiKeysCommand parent;

        @Override
        public Integer call() throws SQLException {
            PrintWriter out = spec.commandLine().getOut();
            if (!json) {
                out.printf("%-10s %-24s %-12s %10s %10s  %-20s %s%n", "ID", "NAME", "SCOPES", "RATE/S", "BURST", "CREATED", "REVOKED");
            }
            try (Connection db = parent.connect();
                    PreparedStatement query = db.prepareStatement(
                            "SELECT id, name, scopes, rate_per_second, burst, created_at, revoked_at FROM api_keys ORDER BY created_at");
                    ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    String[] scopes = (String[]) rows.getArray("scopes").getArray();
                    Timestamp revoked = rows.getTimestamp("revoked_at");
                    if (json) {
                        ObjectNode key = Json.mapper().createObjectNode().put("id", rows.getString("id")).put("name", rows.getString("name"))
                                .put("rate_per_second", rows.getInt("rate_per_second")).put("burst", rows.getInt("burst"))
                                .put("created_at", rows.getTimestamp("created_at").toInstant().toString())
                                .put("revoked_at", revoked == null ? null : revoked.toInstant().toString());
                        ArrayNode scopeArray = key.putArray("scopes");
                        for (String scope : scopes) {
                            scopeArray.add(scope);
                        }
                        out.println(Json.mapper().writeValueAsString(key));
                        continue;
                    }
                    out.printf("%-10s %-24s %-12s %10d %10d  %-20s %s%n", rows.getString("id"), rows.getString("name"),
                            String.join(",", scopes), rows.getInt("rate_per_second"), rows.getInt("burst"),
                            rows.getTimestamp("created_at").toInstant().toString().substring(0, 19),
                            revoked == null ? "-" : revoked.toInstant().toString().substring(0, 19));
                }
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke a key by name or id; every API instance refuses it within the auth cache TTL (30 s by default).")
    static final class Revoke implements Callable<Integer> {

        @Spec
        CommandLine.Model.CommandSpec spec;

        @ParentCommand
        ApiKeysCommand parent;

        @Parameters(paramLabel = "NAME_OR_ID")
        String key;

        @Override
        public Integer call() throws SQLException {
            try (Connection db = parent.connect();
                    PreparedStatement update = db.prepareStatement(
                            "UPDATE api_keys SET revoked_at = now() WHERE (name = ? OR id = ?) AND revoked_at IS NULL")) {
                update.setString(1, key);
                update.setString(2, key);
                if (update.executeUpdate() == 0) {
                    spec.commandLine().getErr().println("no active key named or with id '" + key + "'");
                    return 1;
                }
            }
            spec.commandLine().getOut().println("revoked " + key);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
