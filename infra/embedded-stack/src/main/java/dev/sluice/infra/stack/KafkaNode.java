package dev.sluice.infra.stack;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker, in process: a KRaft node that is both broker and controller, with its log under a
 * directory of ours; alone, or one member of a {@link KafkaCluster}. Formatted on first start only, so a restart on
 * the same directory keeps every topic.
 */
public final class KafkaNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaNode.class);
    private static final String CONTROLLER = "CONTROLLER";
    static final String READY = "Kafka node ready";

    /**
     * One node's place in its cluster.
     *
     * @param voters the controller quorum, {@code id@host:port,...}
     * @param clusterSize brokers in the cluster: internal topics get min(3, size) replicas and acks=all needs
     *     size - 1 of them (at least 1), as in production
     */
    record Member(int nodeId, String clusterId, int port, int controllerPort, String voters, int clusterSize) {

        List<String> arguments(Path directory) {
            return List.of(directory.toString(), Integer.toString(nodeId), clusterId, Integer.toString(port), Integer.toString(controllerPort),
                    voters, Integer.toString(clusterSize));
        }

        static Member of(String[] arguments) {
            return new Member(Integer.parseInt(arguments[1]), arguments[2], Integer.parseInt(arguments[3]), Integer.parseInt(arguments[4]),
                    arguments[5], Integer.parseInt(arguments[6]));
        }
    }

    /**
     * A broker that takes clients only over SASL_SSL with SCRAM-SHA-512: the user, and the server certificate its
     * clients must trust. (A plaintext listener on another port serves the broker itself: creating users, tests.)
     */
    public record Secured(String username, String password, TlsMaterial tls, int internalPort) {

        /** What a Sluice service or command needs to connect: the {@code SLUICE_KAFKA_*} variables. */
        public Map<String, String> clientEnvironment(String bootstrapServers) {
            return Map.of("SLUICE_KAFKA_BOOTSTRAP", bootstrapServers, "SLUICE_KAFKA_SECURITYPROTOCOL", "SASL_SSL",
                    "SLUICE_KAFKA_SASLMECHANISM", "SCRAM-SHA-512", "SLUICE_KAFKA_USERNAME", username, "SLUICE_KAFKA_PASSWORD", password,
                    "SLUICE_KAFKA_TRUSTSTORE", tls.certificate().toString());
        }
    }

    private final Path directory;
    private final Member member;
    private final int port;
    private final Secured secured;
    private KafkaRaftServer server;

    KafkaNode(Path directory, Member member) {
        this(directory, member, null);
    }

    private KafkaNode(Path directory, Member member, Secured secured) {
        this.directory = directory;
        this.member = member;
        this.port = member.port();
        this.secured = secured;
    }

    /**
     * A cluster of one that takes clients only over SASL_SSL (SCRAM-SHA-512, a certificate made at first start in
     * {@code directory/tls}) as {@code username}; its {@link #secured()} says how to connect.
     */
    public static KafkaNode startSecured(Path directory, String username, String password) {
        int controllerPort = FreePorts.pick();
        Secured secured = new Secured(username, password, TlsMaterial.in(directory.resolve("tls")), FreePorts.pick());
        KafkaNode node = new KafkaNode(directory, new Member(1, KafkaCluster.clusterId(directory), FreePorts.pick(), controllerPort,
                "1@127.0.0.1:" + controllerPort, 1), secured);
        node.startServer();
        node.createUser();
        return node;
    }

    public Optional<Secured> secured() {
        return Optional.ofNullable(secured);
    }

    /**
     * A cluster of one.
     *
     * @param directory where the log lives (kept between starts)
     * @param port client port, or 0 for any free one
     */
    public static KafkaNode start(Path directory, int port) {
        int controllerPort = FreePorts.pick();
        KafkaNode node = new KafkaNode(directory, new Member(1, KafkaCluster.clusterId(directory), FreePorts.require(port, "Kafka"),
                controllerPort, "1@127.0.0.1:" + controllerPort, 1));
        node.startServer();
        return node;
    }

    /**
     * One member of a cluster in a JVM of its own, so that a test can kill it with {@code SIGKILL}: the arguments
     * are {@link Member#arguments}; prints {@value #READY} once it serves, and stops when its standard input closes.
     */
    public static void main(String[] arguments) throws IOException {
        KafkaNode node = new KafkaNode(Path.of(arguments[0]), Member.of(arguments));
        node.startServer();
        System.out.println(READY);
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the parent closes our input (or kills us)
        }
        node.close();
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Stops and starts the broker on the same port and log: what a broker restart looks like to clients. */
    public synchronized void restart() {
        stopServer();
        startServer();
    }

    public synchronized void stop() {
        stopServer();
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public synchronized void startAgain() {
        if (server == null) {
            startServer();
        }
    }

    private synchronized void startServer() {
        long started = System.nanoTime();
        KafkaConfig config = new KafkaConfig(properties(), false);
        format(config);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        awaitReady();
        log.info("Kafka broker ready at {} in {} ms (log in {})", bootstrapServers(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), directory);
    }

    private Map<String, Object> properties() {
        Map<String, Object> props = new HashMap<>();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(member.nodeId()));
        props.put("controller.quorum.voters", member.voters());
        if (secured == null) {
            props.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER + "://127.0.0.1:" + member.controllerPort());
            props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
            props.put("inter.broker.listener.name", "PLAINTEXT");
        } else {
            props.put("listeners", "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + secured.internalPort() + ","
                    + CONTROLLER + "://127.0.0.1:" + member.controllerPort());
            props.put("advertised.listeners", "SASL_SSL://127.0.0.1:" + port + ",INTERNAL://127.0.0.1:" + secured.internalPort());
            props.put("listener.security.protocol.map", "SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
            props.put("inter.broker.listener.name", "INTERNAL");
            props.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
            props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            props.put("ssl.keystore.type", "PKCS12");
            props.put("ssl.keystore.location", secured.tls().keystore().toString());
            props.put("ssl.keystore.password", secured.tls().password());
            props.put("ssl.key.password", secured.tls().password());
        }
        props.put("controller.listener.names", CONTROLLER);
        props.put("log.dirs", directory.resolve("log").toString());
        // Internal topics cannot have more replicas than there are brokers; with three, one may be down and no
        // acknowledged write rests on a single replica.
        String replicas = Integer.toString(Math.min(3, member.clusterSize()));
        String minInSync = Integer.toString(Math.max(1, Math.min(3, member.clusterSize()) - 1));
        props.put("default.replication.factor", replicas);
        props.put("offsets.topic.replication.factor", replicas);
        props.put("offsets.topic.num.partitions", "10");
        props.put("transaction.state.log.replication.factor", replicas);
        props.put("transaction.state.log.min.isr", minInSync);
        props.put("transaction.state.log.num.partitions", "10");
        props.put("share.coordinator.state.topic.replication.factor", replicas);
        props.put("share.coordinator.state.topic.min.isr", minInSync);
        props.put("min.insync.replicas", minInSync);
        // A whole cluster stops at once (a local run's Ctrl-C): leadership need not move first, and waiting for a
        // controller that is stopping too would hang the last nodes
        props.put("controlled.shutdown.enable", Boolean.toString(member.clusterSize() == 1));
        props.put("group.initial.rebalance.delay.ms", "0");
        // Components create the topics they own (with their partition counts and retention); a typo must fail.
        props.put("auto.create.topics.enable", "false");
        props.put("log.cleaner.dedupe.buffer.size", "2097152");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "4");
        return props;
    }

    /** Formats the log on first start only: a formatted log keeps its cluster id and every topic. */
    private void format(KafkaConfig config) {
        if (Files.exists(directory.resolve("log").resolve("meta.properties"))) {
            return;
        }
        try {
            Files.createDirectories(directory.resolve("log"));
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(member.nodeId())
                    .setClusterId(member.clusterId())
                    .setDirectories(List.of(directory.resolve("log").toString()))
                    .setMetadataLogDirectory(config.metadataLogDir())
                    .setControllerListenerName(CONTROLLER)
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot format the Kafka log in " + directory, e);
        }
    }

    /** The broker's own plaintext address (the internal listener of a secured broker). */
    private String adminBootstrap() {
        return "127.0.0.1:" + (secured == null ? port : secured.internalPort());
    }

    private void createUser() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminBootstrap()))) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(secured.username(),
                    new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192), secured.password()))).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the Kafka user " + secured.username(), e);
        }
    }

    private void awaitReady() {
        Properties admin = new Properties();
        admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, adminBootstrap());
        admin.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        try (Admin client = Admin.create(admin)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    if (!client.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka did not become ready at " + bootstrapServers(), e);
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    private synchronized void stopServer() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    @Override
    public void close() {
        stopServer();
    }
}
