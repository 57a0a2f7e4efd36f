package dev.sluice.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaSecurityTest {

    @Test
    void plaintextAddsNothing() {
        assertThat(KafkaSecurity.fromEnvironment(Map.of()).clientProperties()).isEmpty();
    }

    @Test
    void saslSslWithScramAndAPkcs12Truststore() {
        KafkaSecurity security = KafkaSecurity.fromEnvironment(Map.of("SLUICE_KAFKA_SECURITYPROTOCOL", "sasl_ssl", "SLUICE_KAFKA_USERNAME", "sluice",
                "SLUICE_KAFKA_PASSWORD", "p\"w", "SLUICE_KAFKA_TRUSTSTORE", "/etc/sluice/kafka.p12", "SLUICE_KAFKA_TRUSTSTOREPASSWORD", "changeit"));
        assertThat(security.clientProperties()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"sluice\" password=\"p\\\"w\";")
                .containsEntry("ssl.truststore.location", "/etc/sluice/kafka.p12").containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.truststore.password", "changeit");
        assertThat(security.toString()).doesNotContain("p\"w");
    }

    @Test
    void aPemTruststoreAndPlain() {
        KafkaSecurity security = new KafkaSecurity("SASL_SSL", "PLAIN", "u", "p", "/ca.pem", "");
        assertThat(security.clientProperties()).containsEntry("ssl.truststore.type", "PEM").doesNotContainKey("ssl.truststore.password")
                .hasEntrySatisfying("sasl.jaas.config", jaas -> assertThat(jaas).startsWith("org.apache.kafka.common.security.plain.PlainLoginModule"));
    }

    @Test
    void aWrongSettingIsRefusedByName() {
        assertThatThrownBy(() -> new KafkaSecurity("TLS", "", "", "", "", "")).hasMessageContaining("security protocol");
        assertThatThrownBy(() -> new KafkaSecurity("SASL_SSL", "GSSAPI", "u", "", "", "")).hasMessageContaining("SASL mechanism");
        assertThatThrownBy(() -> new KafkaSecurity("SASL_SSL", "", "", "", "", "")).hasMessageContaining("SLUICE_KAFKA_USERNAME");
    }
}
