package dev.sluice.infra.stack;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the three services of a stack are, in the form every Sluice component reads from its environment.
 *
 * @param kafkaBootstrap Kafka bootstrap servers, {@code host:port[,host:port]}
 * @param postgresUrl PostgreSQL as {@code postgresql://host:port/database[?params]}: prefixed with {@code jdbc:}
 *     for JDBC and {@code r2dbc:} for R2DBC, so one setting serves both drivers
 * @param postgresUser PostgreSQL user
 * @param postgresPassword PostgreSQL password (may be empty)
 * @param redisUrl Redis as {@code redis://[password@]host:port[/db]}, or {@code rediss://} over TLS
 * @param security the other settings a secured stack's clients need ({@code SLUICE_KAFKA_SECURITYPROTOCOL} and the
 *     rest, {@code SLUICE_REDIS_TRUSTSTORE}); empty for a plain one
 */
public record Connections(
        String kafkaBootstrap, String postgresUrl, String postgresUser, String postgresPassword, String redisUrl,
        Map<String, String> security) {

    /** The connections of a stack without TLS or SASL. */
    public Connections(String kafkaBootstrap, String postgresUrl, String postgresUser, String postgresPassword, String redisUrl) {
        this(kafkaBootstrap, postgresUrl, postgresUser, postgresPassword, redisUrl, Map.of());
    }

    public static final String KAFKA_BOOTSTRAP = "SLUICE_KAFKA_BOOTSTRAP";
    public static final String PG_URL = "SLUICE_PG_URL";
    public static final String PG_USER = "SLUICE_PG_USER";
    public static final String PG_PASSWORD = "SLUICE_PG_PASSWORD";
    public static final String REDIS_URL = "SLUICE_REDIS_URL";

    public Connections {
        Objects.requireNonNull(kafkaBootstrap, "kafkaBootstrap");
        Objects.requireNonNull(postgresUrl, "postgresUrl");
        Objects.requireNonNull(postgresUser, "postgresUser");
        Objects.requireNonNull(redisUrl, "redisUrl");
        if (!postgresUrl.startsWith("postgresql://")) {
            throw new IllegalArgumentException(PG_URL + " must look like postgresql://host:port/database, not " + postgresUrl);
        }
        postgresPassword = postgresPassword == null ? "" : postgresPassword;
        security = Map.copyOf(security);
    }

    public String jdbcUrl() {
        return "jdbc:" + postgresUrl;
    }

    /** A plain, unpooled JDBC data source of this database: for set-up, checks and benchmark limits. */
    public PGSimpleDataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(jdbcUrl());
        dataSource.setUser(postgresUser);
        dataSource.setPassword(postgresPassword);
        return dataSource;
    }

    /** The same server, another database (tests isolate themselves this way). */
    public Connections withDatabase(String database) {
        URI uri = URI.create(postgresUrl);
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return new Connections(kafkaBootstrap,
                "postgresql://" + uri.getRawAuthority() + "/" + database + query,
                postgresUser, postgresPassword, redisUrl, security);
    }

    /** The database name in {@link #postgresUrl()}. */
    public String database() {
        String path = URI.create(postgresUrl).getPath();
        return path == null || path.length() <= 1 ? "postgres" : path.substring(1);
    }

    /** The environment that points a Sluice process at these services. */
    public Map<String, String> toEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put(KAFKA_BOOTSTRAP, kafkaBootstrap);
        env.put(PG_URL, postgresUrl);
        env.put(PG_USER, postgresUser);
        env.put(PG_PASSWORD, postgresPassword);
        env.put(REDIS_URL, redisUrl);
        env.putAll(security);
        return env;
    }

    /** A form safe to print: no password. */
    @Override
    public String toString() {
        return "Connections[kafka=" + kafkaBootstrap + ", postgres=" + postgresUrl + " as " + postgresUser
                + ", redis=" + redisUrl.replaceAll("//[^@/]*@", "//***@") + "]";
    }
}
