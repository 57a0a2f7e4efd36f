package dev.sluice.infra.stack;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How to start a {@link Stack}.
 *
 * @param directory where the embedded services keep their data: {@code kafka/}, {@code postgres/}, {@code redis/}
 * @param durable whether the data must survive a crash (the local run) or may skip fsync (tests)
 * @param kafkaPort Kafka client port (the first broker's), 0 for any free port
 * @param postgresPort PostgreSQL port, 0 for any free port
 * @param redisPort Redis port, 0 for any free port
 * @param binariesCache where PostgreSQL binaries are unpacked, kept across runs
 * @param environment where to look for {@code SLUICE_*} coordinates of external services (normally the process
 *     environment): each service that has them is used as is instead of being started
 * @param kafkaBrokers 1, or 3 for a cluster in which topics have three replicas and {@code min.insync.replicas} 2
 * @param secured Kafka only over SASL_SSL, PostgreSQL only over TLS with a password, Redis only over TLS as an ACL
 *     user; certificates and passwords made at first start under {@code directory} (one broker only)
 */
public record StackOptions(
        Path directory,
        boolean durable,
        int kafkaPort,
        int postgresPort,
        int redisPort,
        Path binariesCache,
        Map<String, String> environment,
        int kafkaBrokers,
        boolean secured) {

    public StackOptions {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(binariesCache, "binariesCache");
        environment = Map.copyOf(environment);
        if (kafkaBrokers < 1) {
            throw new IllegalArgumentException("at least one Kafka broker, not " + kafkaBrokers);
        }
        if (secured && kafkaBrokers > 1) {
            throw new IllegalArgumentException("a secured stack has one Kafka broker");
        }
    }

    /** A stack with one Kafka broker. */
    public StackOptions(Path directory, boolean durable, int kafkaPort, int postgresPort, int redisPort, Path binariesCache,
            Map<String, String> environment) {
        this(directory, durable, kafkaPort, postgresPort, redisPort, binariesCache, environment, 1, false);
    }

    /** The shared unpack cache for PostgreSQL binaries: {@code ~/.cache/sluice}. */
    public static Path defaultBinariesCache() {
        return Path.of(System.getProperty("user.home"), ".cache", "sluice", "postgres-binaries");
    }

    /** Throw-away services on free ports, for tests; external services where the environment names them. */
    public static StackOptions forTests(Path directory) {
        return new StackOptions(directory, false, 0, 0, 0, defaultBinariesCache(), System.getenv());
    }

    public StackOptions withEnvironment(Map<String, String> environment) {
        return new StackOptions(directory, durable, kafkaPort, postgresPort, redisPort, binariesCache, environment, kafkaBrokers, secured);
    }

    public StackOptions withKafkaBrokers(int brokers) {
        return new StackOptions(directory, durable, kafkaPort, postgresPort, redisPort, binariesCache, environment, brokers, secured);
    }

    public StackOptions withSecured(boolean secured) {
        return new StackOptions(directory, durable, kafkaPort, postgresPort, redisPort, binariesCache, environment, kafkaBrokers, secured);
    }
}
