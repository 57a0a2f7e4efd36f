package dev.sluice.api;

import dev.sluice.infra.stack.Connections;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;

/** Set-up the API's tests share: the schema (which the ingest worker would apply) and API keys. */
public final class ApiFixtures {

    private ApiFixtures() {}

    public static void migrate(Connections connections) {
        PGSimpleDataSource dataSource = connections.dataSource();
        new SchemaMigrator(dataSource).migrate();
    }

    /** Creates a key as {@code sluice keys create} does and returns it in clear. */
    public static String createKey(Connections connections, int ratePerSecond, int burst, String... scopes) {
        try (Connection db = DriverManager.getConnection(connections.jdbcUrl(), connections.postgresUser(), connections.postgresPassword())) {
            return ApiKeyRecords.create(db, "test-" + UUID.randomUUID(), ratePerSecond, burst,
                    scopes.length == 0 ? List.of("read", "write") : List.of(scopes));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String createKey(Connections connections) {
        return createKey(connections, 100_000, 100_000);
    }
}
