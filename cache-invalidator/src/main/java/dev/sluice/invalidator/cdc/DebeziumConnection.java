package dev.sluice.invalidator.cdc;

import dev.sluice.platform.connection.ConnectionProperties;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.Set;

/**
 * How Debezium reaches PostgreSQL, from the one connection setting every service shares: host, port, database and
 * credentials, and the URL's query parameters, so what a user puts there for the other services reaches the change
 * feed too. TLS parameters are Debezium's own settings ({@code database.sslmode}, …); any other parameter is passed
 * through to the JDBC driver ({@code driver.<name>}).
 */
final class DebeziumConnection {

    /** The pgjdbc parameters Debezium takes as its own {@code database.*} settings (it applies them to both its connections). */
    static final Set<String> OWN = Set.of("sslmode", "sslcert", "sslkey", "sslpassword", "sslrootcert", "sslfactory", "sslfactory.arg",
            "tcpKeepAlive");

    private DebeziumConnection() {}

    static Properties of(ConnectionProperties.Postgres pg) {
        Properties config = new Properties();
        config.setProperty("database.hostname", pg.host());
        config.setProperty("database.port", Integer.toString(pg.port()));
        config.setProperty("database.user", pg.user());
        config.setProperty("database.password", pg.password());
        config.setProperty("database.dbname", pg.database());
        String query = URI.create(pg.url()).getRawQuery();
        if (query != null) {
            for (String parameter : query.split("&")) {
                if (parameter.isEmpty()) {
                    continue;
                }
                int equals = parameter.indexOf('=');
                String name = URLDecoder.decode(equals < 0 ? parameter : parameter.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(parameter.substring(equals + 1), StandardCharsets.UTF_8);
                config.setProperty((OWN.contains(name) ? "database." : "driver.") + name, value);
            }
        }
        return config;
    }
}
