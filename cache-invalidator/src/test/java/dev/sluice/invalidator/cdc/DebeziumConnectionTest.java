package dev.sluice.invalidator.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.platform.connection.ConnectionProperties;
import org.junit.jupiter.api.Test;

class DebeziumConnectionTest {

    @Test
    void theUrlsParametersReachDebeziumTlsAsItsOwnSettingsTheRestAsDriverProperties() {
        var settings = DebeziumConnection.of(new ConnectionProperties.Postgres(
                "postgresql://db.internal:6432/pipeline?sslmode=verify-full&sslrootcert=%2Fetc%2Fsluice%2Fca.pem&connectTimeout=5",
                "sluice", "secret"));

        assertThat(settings).containsEntry("database.hostname", "db.internal").containsEntry("database.port", "6432")
                .containsEntry("database.dbname", "pipeline").containsEntry("database.user", "sluice").containsEntry("database.password", "secret")
                .containsEntry("database.sslmode", "verify-full").containsEntry("database.sslrootcert", "/etc/sluice/ca.pem")
                .containsEntry("driver.connectTimeout", "5");
    }

    @Test
    void aUrlWithoutParametersGivesTheConnectionAlone() {
        var settings = DebeziumConnection.of(new ConnectionProperties.Postgres("postgresql://localhost/sluice", "sluice", ""));

        assertThat(settings).containsEntry("database.port", "5432").hasSize(5);
    }
}
