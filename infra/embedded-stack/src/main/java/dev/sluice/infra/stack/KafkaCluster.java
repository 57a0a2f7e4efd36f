package dev.sluice.infra.stack;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several Kafka brokers in one KRaft cluster, each both broker and controller (a quorum of all of them), each with
 * its log under {@code directory/node-<id>}: topics get three replicas and {@code min.insync.replicas} 2, as in
 * production. The brokers run in this JVM ({@link #inProcess}), or each in a JVM of its own
 * ({@link #inChildProcesses}) so that a test can kill one with {@code SIGKILL}.
 */
public final class KafkaCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaCluster.class);

    /** One broker of the cluster, whichever way it runs. */
    public interface Broker extends AutoCloseable {

        int nodeId();

        /** Stops it the hard way where it can ({@code SIGKILL} for a child process), gracefully in process. */
        void kill();

        /** Starts it again on the same ports and log; waits until it serves. */
        void startAgain();

        boolean isRunning();

        @Override
        void close();
    }

    private final List<Broker> brokers;
    private final String bootstrapServers;

    private KafkaCluster(List<Broker> brokers, String bootstrapServers) {
        this.brokers = List.copyOf(brokers);
        this.bootstrapServers = bootstrapServers;
    }

    /**
     * @param size how many brokers (3 for a cluster that survives one failure)
     * @param firstPort the first broker's client port, the others following it; 0 for free ports
     */
    public static KafkaCluster inProcess(Path directory, int size, int firstPort) {
        List<KafkaNode.Member> members = members(directory, size, firstPort);
        List<CompletableFuture<KafkaNode>> starting = members.stream()
                .map(member -> CompletableFuture.supplyAsync(() -> {
                    KafkaNode node = new KafkaNode(directory.resolve("node-" + member.nodeId()), member);
                    node.startAgain();
                    return node;
                })).toList();
        // the quorum forms only once a majority runs: every node starts at once
        List<Broker> brokers = new ArrayList<>();
        for (int i = 0; i < starting.size(); i++) {
            brokers.add(new InProcessBroker(members.get(i).nodeId(), starting.get(i).join()));
        }
        return new KafkaCluster(brokers, bootstrap(members));
    }

    /** As {@link #inProcess}, each broker a child JVM on this JVM's class path, on free ports. */
    public static KafkaCluster inChildProcesses(Path directory, int size) {
        List<KafkaNode.Member> members = members(directory, size, 0);
        List<ChildBroker> brokers = members.stream().map(member -> new ChildBroker(directory.resolve("node-" + member.nodeId()), member)).toList();
        brokers.forEach(ChildBroker::launch);
        brokers.forEach(ChildBroker::awaitReady);
        log.info("Kafka cluster of {} brokers (child processes) at {}", size, bootstrap(members));
        return new KafkaCluster(new ArrayList<>(brokers), bootstrap(members));
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public List<Broker> brokers() {
        return brokers;
    }

    public Broker broker(int nodeId) {
        return brokers.stream().filter(broker -> broker.nodeId() == nodeId).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no broker " + nodeId));
    }

    /** Stops every broker at once: one by one, the last would wait for a quorum that is gone. */
    @Override
    public void close() {
        brokers.stream().map(broker -> CompletableFuture.runAsync(broker::close)).toList().forEach(CompletableFuture::join);
    }

    /** The cluster id kept in {@code directory/cluster.id}: every node of a cluster is formatted with the same one. */
    static String clusterId(Path directory) {
        Path file = directory.resolve("cluster.id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            Files.createDirectories(directory);
            String id = Uuid.randomUuid().toString();
            Files.writeString(file, id);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<KafkaNode.Member> members(Path directory, int size, int firstPort) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one broker, not " + size);
        }
        String clusterId = clusterId(directory);
        int[] ports = IntStream.range(0, size).map(i -> firstPort == 0 ? FreePorts.pick() : FreePorts.require(firstPort + i, "Kafka")).toArray();
        int[] controllerPorts = IntStream.range(0, size).map(i -> FreePorts.pick()).toArray();
        String voters = IntStream.range(0, size).mapToObj(i -> (i + 1) + "@127.0.0.1:" + controllerPorts[i]).collect(Collectors.joining(","));
        return IntStream.range(0, size).mapToObj(i -> new KafkaNode.Member(i + 1, clusterId, ports[i], controllerPorts[i], voters, size)).toList();
    }

    private static String bootstrap(List<KafkaNode.Member> members) {
        return members.stream().map(member -> "127.0.0.1:" + member.port()).collect(Collectors.joining(","));
    }

    private record InProcessBroker(int nodeId, KafkaNode node) implements Broker {

        @Override
        public void kill() {
            node.stop();
        }

        @Override
        public void startAgain() {
            node.startAgain();
        }

        @Override
        public boolean isRunning() {
            return node.isRunning();
        }

        @Override
        public void close() {
            node.close();
        }
    }

    /** A broker in a JVM of its own ({@link KafkaNode#main}), its output prefixed in ours. */
    private static final class ChildBroker implements Broker {

        private final Path directory;
        private final KafkaNode.Member member;
        private Process process;
        private CompletableFuture<Void> ready;

        ChildBroker(Path directory, KafkaNode.Member member) {
            this.directory = directory;
            this.member = member;
        }

        @Override
        public int nodeId() {
            return member.nodeId();
        }

        synchronized void launch() {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    KafkaNode.class.getName()));
            command.addAll(member.arguments(directory));
            try {
                process = new ProcessBuilder(command).redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start Kafka broker " + member.nodeId(), e);
            }
            CompletableFuture<Void> signalled = new CompletableFuture<>();
            ready = signalled;
            Process started = process;
            Thread output = new Thread(() -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.equals(KafkaNode.READY)) {
                            signalled.complete(null);
                        } else if (line.contains(" ERROR ")) {
                            System.out.println("[kafka-" + member.nodeId() + "] " + line);
                        }
                    }
                } catch (IOException e) {
                    // the process is gone
                }
                signalled.completeExceptionally(new IllegalStateException("Kafka broker " + member.nodeId() + " exited"));
            }, "kafka-" + member.nodeId() + "-output");
            output.setDaemon(true);
            output.start();
        }

        synchronized void awaitReady() {
            try {
                ready.get(120, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("Kafka broker " + member.nodeId() + " did not start", e);
            }
        }

        @Override
        public synchronized void kill() {
            if (process != null) {
                process.destroyForcibly();
                try {
                    process.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                log.info("Killed Kafka broker {} (SIGKILL)", member.nodeId());
                process = null;
            }
        }

        @Override
        public synchronized void startAgain() {
            if (process == null) {
                launch();
                awaitReady();
                log.info("Kafka broker {} started again", member.nodeId());
            }
        }

        @Override
        public synchronized boolean isRunning() {
            return process != null && process.isAlive();
        }

        @Override
        public synchronized void close() {
            if (process != null) {
                try {
                    process.getOutputStream().close(); // a graceful stop
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (IOException e) {
                    process.destroyForcibly();
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                process = null;
            }
        }
    }
}
