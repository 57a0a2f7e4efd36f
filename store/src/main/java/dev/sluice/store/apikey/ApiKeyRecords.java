package dev.sluice.store.apikey;

import dev.sluice.core.apikey.ApiKeyFormat;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/** Writing API keys to the {@code api_keys} table (JDBC): one place for the SQL every tool shares. */
public final class ApiKeyRecords {

    private ApiKeyRecords() {}

    /**
     * Creates a key and returns it in clear; only its hash is stored.
     *
     * @throws SQLException with SQL state 23505 if the name is taken
     */
    public static String create(Connection db, String name, int ratePerSecond, int burst, List<String> scopes) throws SQLException {
        String key = ApiKeyFormat.generate();
        ApiKeyFormat.PresentedKey parsed = ApiKeyFormat.parse(key).orElseThrow();
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO api_keys (id, name, secret_hash, scopes, rate_per_second, burst) VALUES (?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, parsed.id());
            insert.setString(2, name);
            insert.setBytes(3, parsed.hash());
            insert.setArray(4, db.createArrayOf("text", scopes.toArray()));
            insert.setInt(5, ratePerSecond);
            insert.setInt(6, burst);
            insert.executeUpdate();
        }
        return key;
    }
}
