package dev.sluice.infra.test;

import dev.sluice.infra.stack.Connections;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * Kafka, PostgreSQL (with {@code wal_level=logical}) and Redis as containers, for machines with Docker that ask
 * for them ({@code SLUICE_TEST_STACK=testcontainers}). The images are those of the docker-compose stack.
 */
final class ContainerStack implements AutoCloseable {

    static final String KAFKA_IMAGE = "apache/kafka:4.2.1";
    static final String POSTGRES_IMAGE = "postgres:17";
    static final String REDIS_IMAGE = "redis:7.4";

    private final KafkaContainer kafka;
    private final PostgreSQLContainer postgres;
    private final GenericContainer<?> redis;

    private ContainerStack(KafkaContainer kafka, PostgreSQLContainer postgres, GenericContainer<?> redis) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.redis = redis;
    }

    static ContainerStack start() {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            throw new IllegalStateException(SharedStack.MODE_ENV + "=testcontainers, but no Docker environment is available");
        }
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withDatabaseName("sluice")
                .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=10", "-c", "max_wal_senders=10");
        GenericContainer<?> redis = new GenericContainer<>(REDIS_IMAGE).withExposedPorts(6379);
        kafka.start();
        postgres.start();
        redis.start();
        return new ContainerStack(kafka, postgres, redis);
    }

    Connections connections() {
        return new Connections(
                kafka.getBootstrapServers(),
                "postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/" + postgres.getDatabaseName(),
                postgres.getUsername(),
                postgres.getPassword(),
                "redis://" + redis.getHost() + ":" + redis.getMappedPort(6379));
    }

    @Override
    public void close() {
        redis.stop();
        postgres.stop();
        kafka.stop();
    }
}
