package dev.sluice.infra.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice run --secured}'s stack: each service reachable only secured, with the settings its connections name,
 * and again after a restart on the same folder (the certificates and passwords made once are kept).
 */
class SecuredStackIT {

    @TempDir
    Path directory;

    @Test
    void everyServiceAnswersOnlySecuredWithTheSettingsItsConnectionsNameAndAfterARestart() throws Exception {
        StackOptions options = StackOptions.forTests(directory).withEnvironment(Map.of()).withSecured(true);
        Connections first;
        try (Stack stack = Stack.start(options)) {
            first = stack.connections();
            assertReachableSecured(first);
        }
        try (Stack again = Stack.start(options)) {
            assertThat(again.connections().postgresPassword()).as("the same password after a restart").isEqualTo(first.postgresPassword());
            assertReachableSecured(again.connections());
        }
    }

    private static void assertReachableSecured(Connections connections) throws Exception {
        Map<String, String> environment = connections.toEnvironment();
        assertThat(environment).containsEntry("SLUICE_KAFKA_SECURITYPROTOCOL", "SASL_SSL").containsKey("SLUICE_REDIS_TRUSTSTORE");
        assertThat(connections.postgresUrl()).contains("sslmode=verify-full");
        assertThat(connections.redisUrl()).startsWith("rediss://");

        try (Connection db = connections.dataSource().getConnection(); Statement sql = db.createStatement();
                ResultSet ssl = sql.executeQuery("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")) {
            assertThat(ssl.next() && ssl.getBoolean(1)).as("PostgreSQL over TLS").isTrue();
        }

        Map<String, Object> kafka = new HashMap<>();
        kafka.put("bootstrap.servers", connections.kafkaBootstrap());
        kafka.put("security.protocol", "SASL_SSL");
        kafka.put("sasl.mechanism", "SCRAM-SHA-512");
        kafka.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + environment.get("SLUICE_KAFKA_USERNAME") + "\" password=\"" + environment.get("SLUICE_KAFKA_PASSWORD") + "\";");
        kafka.put("ssl.truststore.type", "PEM");
        kafka.put("ssl.truststore.location", environment.get("SLUICE_KAFKA_TRUSTSTORE"));
        try (Admin admin = Admin.create(kafka)) {
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).hasSize(1);
        }

        RedisClient redis = RedisClient.create(connections.redisUrl());
        redis.setOptions(ClientOptions.builder().sslOptions(SslOptions.builder().jdkSslProvider()
                .trustManager(new File(environment.get("SLUICE_REDIS_TRUSTSTORE"))).build()).build());
        try (StatefulRedisConnection<String, String> connection = redis.connect()) {
            assertThat(connection.sync().ping()).isEqualTo("PONG");
        } finally {
            redis.shutdown();
        }
    }
}
