package dev.sluice.platform.connection;

import dev.sluice.core.kafka.KafkaSecurity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
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

    /**
     * How every Kafka client of the service connects: producers, consumers, admin, Kafka Streams, Debezium's offset
     * store (they become {@code spring.kafka.properties.*} and Debezium's client settings).
     *
     * @param bootstrap Kafka bootstrap servers, {@code host:port[,host:port]}
     * @param securityProtocol {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL} (default PLAINTEXT)
     * @param saslMechanism {@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or {@code PLAIN} (default SCRAM-SHA-512)
     * @param username the SASL user; needed with SASL (default empty)
     * @param password the SASL password (default empty)
     * @param truststore a PEM ({@code .pem}, {@code .crt}) or PKCS12 file of the certificates to trust; empty: the
     *     JVM's default trust (default empty)
     * @param truststorePassword the PKCS12 truststore's password (default empty)
     */
    public record Kafka(
            @DefaultValue("localhost:9092") @NotBlank String bootstrap,
            @DefaultValue("PLAINTEXT") @Pattern(regexp = "PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL") String securityProtocol,
            @DefaultValue("SCRAM-SHA-512") @Pattern(regexp = "SCRAM-SHA-512|SCRAM-SHA-256|PLAIN") String saslMechanism,
            @DefaultValue("") String username,
            @DefaultValue("") String password,
            @DefaultValue("") String truststore,
            @DefaultValue("") String truststorePassword) {

        public KafkaSecurity security() {
            return new KafkaSecurity(securityProtocol, saslMechanism, username, password, truststore, truststorePassword);
        }

        @Override
        public String toString() {
            return "Kafka[bootstrap=" + bootstrap + ", " + security() + "]";
        }
    }

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
     * @param url {@code redis://[[user]:password@]host:port[/database]}, or {@code rediss://...} over TLS
     * @param keyPrefix prefix of every key Sluice writes, so several deployments can share a Redis (default sluice:)
     * @param truststore a PEM file of the certificates to trust over TLS; empty: the JVM's default trust (default empty)
     */
    public record Redis(@DefaultValue("redis://localhost:6379") @NotBlank String url, @DefaultValue("sluice:") String keyPrefix,
            @DefaultValue("") String truststore) {

        @Override
        public String toString() {
            return "Redis[url=" + url.replaceAll("//[^@/]*@", "//***@") + ", keyPrefix=" + keyPrefix + ", truststore=" + truststore + "]";
        }
    }
}
