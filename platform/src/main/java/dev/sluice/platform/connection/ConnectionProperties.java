package dev.sluice.platform.connection;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where Kafka, PostgreSQL and Redis are. Each is one setting, overridable from the environment
 * ({@code SLUICE_KAFKA_BOOTSTRAP}, {@code SLUICE_PG_URL}, {@code SLUICE_PG_USER}, {@code SLUICE_PG_PASSWORD},
 * {@code SLUICE_REDIS_URL}); the Spring settings of each client ({@code spring.kafka.bootstrap-servers},
 * {@code spring.datasource.*}, {@code spring.data.redis.url}) follow from them unless set explicitly.
 */
@Validated
@ConfigurationProperties("sluice")
public record ConnectionProperties(@DefaultValue @Valid Kafka kafka, @DefaultValue @Valid Postgres pg, @DefaultValue @Valid Redis redis) {

    /** @param bootstrap Kafka bootstrap servers, {@code host:port[,host:port]} */
    public record Kafka(@DefaultValue("localhost:9092") @NotBlank String bootstrap) {}

    /**
     * @param url {@code postgresql://host:port/database[?params]}; prefixed with {@code jdbc:} or {@code r2dbc:} for
     *     each driver
     * @param user database user
     * @param password database password; no default (empty means none)
     */
    public record Postgres(
            @DefaultValue("postgresql://localhost:5432/sluice") @NotBlank String url,
            @DefaultValue("sluice") @NotBlank String user,
            @DefaultValue("") String password) {

        public Postgres {
            if (!url.startsWith("postgresql://")) {
                throw new IllegalArgumentException("sluice.pg.url (SLUICE_PG_URL) must look like "
                        + "postgresql://host:port/database, not " + url);
            }
        }

        public String jdbcUrl() {
            return "jdbc:" + url;
        }

        public String r2dbcUrl() {
            return "r2dbc:" + url;
        }

        public String host() {
            return URI.create(url).getHost();
        }

        public int port() {
            int port = URI.create(url).getPort();
            return port < 0 ? 5432 : port;
        }

        public String database() {
            String path = URI.create(url).getPath();
            return path == null || path.length() <= 1 ? "postgres" : path.substring(1);
        }

        @Override
        public String toString() {
            return "Postgres[url=" + url + ", user=" + user + ", password=***]";
        }
    }

    /**
     * @param url {@code redis://[:password@]host:port[/database]}
     * @param keyPrefix prefix of every key Sluice writes, so several deployments can share a Redis (default sluice:)
     */
    public record Redis(@DefaultValue("redis://localhost:6379") @NotBlank String url, @DefaultValue("sluice:") String keyPrefix) {

        @Override
        public String toString() {
            return "Redis[url=" + url.replaceAll("//[^@/]*@", "//***@") + ", keyPrefix=" + keyPrefix + "]";
        }
    }
}
