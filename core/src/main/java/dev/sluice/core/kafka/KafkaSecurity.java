package dev.sluice.core.kafka;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How every Kafka client of Sluice authenticates and encrypts: one set of settings ({@code sluice.kafka.*} in the
 * services, the same {@code SLUICE_KAFKA_*} variables in the command line) turned into the client properties every
 * producer, consumer, admin client, Kafka Streams and Debezium's offset store take.
 *
 * @param protocol {@code PLAINTEXT}, {@code SSL}, {@code SASL_PLAINTEXT} or {@code SASL_SSL}
 * @param saslMechanism {@code SCRAM-SHA-512}, {@code SCRAM-SHA-256} or {@code PLAIN}
 * @param username the SASL user; empty without SASL
 * @param password the SASL password
 * @param truststore a PEM or PKCS12 file of the certificates to trust; empty: the JVM's default trust
 * @param truststorePassword the PKCS12 truststore's password
 */
public record KafkaSecurity(String protocol, String saslMechanism, String username, String password, String truststore,
        String truststorePassword) {

    private static final Set<String> PROTOCOLS = Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
    private static final Set<String> MECHANISMS = Set.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN");

    public static final KafkaSecurity PLAINTEXT = new KafkaSecurity("PLAINTEXT", "SCRAM-SHA-512", "", "", "", "");

    public KafkaSecurity {
        protocol = protocol == null || protocol.isBlank() ? "PLAINTEXT" : protocol.strip().toUpperCase(Locale.ROOT);
        saslMechanism = saslMechanism == null || saslMechanism.isBlank() ? "SCRAM-SHA-512" : saslMechanism.strip().toUpperCase(Locale.ROOT);
        username = username == null ? "" : username;
        password = password == null ? "" : password;
        truststore = truststore == null ? "" : truststore;
        truststorePassword = truststorePassword == null ? "" : truststorePassword;
        if (!PROTOCOLS.contains(protocol)) {
            throw new IllegalArgumentException("Kafka security protocol must be one of " + PROTOCOLS + ", not " + protocol);
        }
        if (sasl(protocol) && !MECHANISMS.contains(saslMechanism)) {
            throw new IllegalArgumentException("Kafka SASL mechanism must be one of " + MECHANISMS + ", not " + saslMechanism);
        }
        if (sasl(protocol) && username.isBlank()) {
            throw new IllegalArgumentException("Kafka " + protocol + " needs a username (SLUICE_KAFKA_USERNAME)");
        }
    }

    /** From {@code SLUICE_KAFKA_SECURITYPROTOCOL}, {@code _SASLMECHANISM}, {@code _USERNAME}, {@code _PASSWORD}, {@code _TRUSTSTORE}, {@code _TRUSTSTOREPASSWORD}. */
    public static KafkaSecurity fromEnvironment(Map<String, String> environment) {
        return new KafkaSecurity(environment.get("SLUICE_KAFKA_SECURITYPROTOCOL"), environment.get("SLUICE_KAFKA_SASLMECHANISM"),
                environment.get("SLUICE_KAFKA_USERNAME"), environment.get("SLUICE_KAFKA_PASSWORD"), environment.get("SLUICE_KAFKA_TRUSTSTORE"),
                environment.get("SLUICE_KAFKA_TRUSTSTOREPASSWORD"));
    }

    /** The client properties: nothing for plaintext, so a client without security is configured as before. */
    public Map<String, String> clientProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        if (protocol.equals("PLAINTEXT")) {
            return properties;
        }
        properties.put("security.protocol", protocol);
        if (sasl(protocol)) {
            String module = saslMechanism.equals("PLAIN") ? "org.apache.kafka.common.security.plain.PlainLoginModule"
                    : "org.apache.kafka.common.security.scram.ScramLoginModule";
            properties.put("sasl.mechanism", saslMechanism);
            properties.put("sasl.jaas.config", module + " required username=\"" + quoted(username) + "\" password=\"" + quoted(password) + "\";");
        }
        if (!truststore.isBlank()) {
            boolean pem = truststore.endsWith(".pem") || truststore.endsWith(".crt");
            properties.put("ssl.truststore.location", truststore);
            properties.put("ssl.truststore.type", pem ? "PEM" : "PKCS12");
            if (!pem && !truststorePassword.isEmpty()) {
                properties.put("ssl.truststore.password", truststorePassword);
            }
        }
        return properties;
    }

    @Override
    public String toString() {
        return "KafkaSecurity[protocol=" + protocol + ", saslMechanism=" + saslMechanism + ", username=" + username + ", password=***, truststore="
                + truststore + "]";
    }

    private static boolean sasl(String protocol) {
        return protocol.startsWith("SASL_");
    }

    private static String quoted(String value) {
        return value.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
