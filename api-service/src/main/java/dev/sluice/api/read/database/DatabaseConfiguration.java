package dev.sluice.api.read.database;

import dev.sluice.platform.connection.ConnectionProperties;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.pool.ConnectionPoolConfiguration;
import io.r2dbc.postgresql.PostgresqlConnectionFactoryProvider;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactoryOptions;
import io.r2dbc.spi.Option;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.r2dbc.core.DatabaseClient;

/**
 * R2DBC to PostgreSQL, wired here rather than by Boot: the {@code spring-boot-r2dbc} module of Boot 4.1.1 is not
 * published on the registry this project builds from (see STACK.md). Same URL as every other component
 * ({@code SLUICE_PG_URL}), with the {@code r2dbc:} prefix. Every connection has PostgreSQL's own
 * {@code statement_timeout} at {@code query-timeout}: the client giving up on a read does not stop the server's
 * work, so without it a few expensive requests would keep backends busy long after their answers were given up.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

    /**
     * The URL's TLS parameters as the JDBC driver (and Debezium) spell them, and the names R2DBC knows them by: one
     * {@code SLUICE_PG_URL} for every client ({@code sslmode} R2DBC takes as it is).
     */
    static final Map<String, String> JDBC_TO_R2DBC = Map.of("sslrootcert", "sslRootCert", "sslcert", "sslCert", "sslkey", "sslKey",
            "sslpassword", "sslPassword");

    @Bean(destroyMethod = "dispose")
    ConnectionPool connectionFactory(ConnectionProperties connections, DatabaseProperties pool) {
        ConnectionFactoryOptions parsed = ConnectionFactoryOptions.parse(connections.pg().r2dbcUrl());
        ConnectionFactoryOptions.Builder builder = parsed.mutate();
        JDBC_TO_R2DBC.forEach((jdbc, r2dbc) -> {
            Object value = parsed.getValue(Option.valueOf(jdbc));
            if (value != null) {
                builder.option(Option.valueOf(r2dbc), value);
            }
        });
        ConnectionFactoryOptions options = builder
                .option(ConnectionFactoryOptions.USER, connections.pg().user())
                .option(ConnectionFactoryOptions.PASSWORD, connections.pg().password())
                .option(PostgresqlConnectionFactoryProvider.STATEMENT_TIMEOUT, pool.queryTimeout())
                .build();
        return new ConnectionPool(ConnectionPoolConfiguration.builder(ConnectionFactories.get(options))
                .name("sluice-api")
                .initialSize(pool.poolInitialSize())
                .maxSize(pool.poolMaxSize())
                .maxIdleTime(pool.poolMaxIdleTime())
                .maxAcquireTime(pool.acquireTimeout())
                .build());
    }

    @Bean
    DatabaseClient databaseClient(ConnectionPool connectionFactory) {
        return DatabaseClient.create(connectionFactory);
    }
}
