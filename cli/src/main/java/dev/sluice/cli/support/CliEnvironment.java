package dev.sluice.cli.support;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.kafka.KafkaSecurity;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the commands find the pipeline: the same variables the services read ({@code SLUICE_KAFKA_BOOTSTRAP},
 * {@code SLUICE_PG_URL} as {@code postgresql://host:port/db}, {@code SLUICE_PG_USER}, {@code SLUICE_PG_PASSWORD},
 * {@code SLUICE_REDIS_URL}, {@code SLUICE_REDIS_KEYPREFIX}), plus the API for imports ({@code SLUICE_API_URL},
 * {@code SLUICE_API_KEY}). The {@code ./sluice} script loads the
 * local run's {@code .sluice/env} when they are unset.
 */
public record CliEnvironment(Map<String, String> variables) {

    public CliEnvironment {
        variables = Map.copyOf(Objects.requireNonNull(variables));
    }

    public static CliEnvironment fromSystem() {
        return new CliEnvironment(System.getenv());
    }

    public String kafkaBootstrap() {
        return variables.getOrDefault("SLUICE_KAFKA_BOOTSTRAP", "localhost:9092");
    }

    /** Bootstrap servers and security ({@code SLUICE_KAFKA_SECURITYPROTOCOL} and the rest), for every Kafka client of a command. */
    public Map<String, Object> kafkaClient() {
        Map<String, Object> properties = new java.util.HashMap<>(KafkaSecurity.fromEnvironment(variables).clientProperties());
        properties.put("bootstrap.servers", kafkaBootstrap());
        return properties;
    }

    public PGSimpleDataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl("jdbc:" + variables.getOrDefault("SLUICE_PG_URL", "postgresql://localhost:5432/sluice"));
        dataSource.setUser(variables.getOrDefault("SLUICE_PG_USER", "sluice"));
        dataSource.setPassword(variables.getOrDefault("SLUICE_PG_PASSWORD", ""));
        return dataSource;
    }

    public Connection connect() throws SQLException {
        return dataSource().getConnection();
    }

    public String redisUrl() {
        return variables.getOrDefault("SLUICE_REDIS_URL", "redis://localhost:6379");
    }

    public RedisKeys redisKeys() {
        return new RedisKeys(variables.getOrDefault("SLUICE_REDIS_KEYPREFIX", RedisKeys.DEFAULT_PREFIX));
    }

    public String apiUrl() {
        return variables.getOrDefault("SLUICE_API_URL", "http://localhost:8080");
    }

    public String apiKey() {
        return variables.get("SLUICE_API_KEY");
    }
}
