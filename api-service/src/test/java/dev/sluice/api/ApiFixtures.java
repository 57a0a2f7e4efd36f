package dev.sluice.api;

import dev.sluice.core.apikey.ApiKeyFormat;
import dev.sluice.core.schema.SchemaMigrator;
import dev.sluice.infra.stack.Connections;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/** Set-up the API's tests share: the schema (which the ingest worker would apply) and API keys. */
public final class ApiFixtures {

    private ApiFixtures() {}

    public static void migrate(Connections connections) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(connections.jdbcUrl());
        dataSource.setUser(connections.postgresUser());
        dataSource.setPassword(connections.postgresPassword());
        new SchemaMigrator(dataSource).migrate();
    }

    /** Creates a key as {@code sluice keys create} does and returns it in clear. */
    public static String createKey(Connections connections, int ratePerSecond, int burst, String... scopes) {
        String key = ApiKeyFormat.generate();
        ApiKeyFormat.PresentedKey parsed = ApiKeyFormat.parse(key).orElseThrow();
        try (Connection db = DriverManager.getConnection(connections.jdbcUrl(), connections.postgresUser(), connections.postgresPassword());
                PreparedStatement insert = db.prepareStatement(
                        "INSERT INTO api_keys (id, name, secret_hash, scopes, rate_per_second, burst) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, parsed.id());
            insert.setString(2, "test-" + UUID.randomUUID());
            insert.setBytes(3, parsed.hash());
            insert.setArray(4, db.createArrayOf("text", scopes.length == 0 ? new String[] {"read", "write"} : scopes));
            insert.setInt(5, ratePerSecond);
            insert.setInt(6, burst);
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return key;
    }

    public static String createKey(Connections connections) {
        return createKey(connections, 100_000, 100_000);
    }
}
