package dev.sluice.platform.topic;

import dev.sluice.core.topic.TopicSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.context.SmartLifecycle;

/**
 * Creates the pipeline's topics that do not exist, with their partitions and retention, and retries in the
 * background until Kafka answers; it is the {@code topics} health component, down until every topic exists.
 *
 * <p>It never changes an existing topic. Adding partitions to {@code pages.v1} would move pages to other
 * partitions and break per-page ordering, so a mismatch is reported, not "fixed" (spring-kafka's KafkaAdmin
 * would add the partitions, which is why this is not a KafkaAdmin).
 */
public final class TopicInitializer extends AbstractHealthIndicator implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(TopicInitializer.class);
    private static final Duration RETRY = Duration.ofSeconds(5);

    private final Admin admin;
    private final List<TopicSpec> topics;
    private final ScheduledExecutorService retries;
    private volatile boolean ready;
    private volatile String problem = "not checked yet";
    private volatile boolean running;

    public TopicInitializer(Admin admin, List<TopicSpec> topics) {
        super("Topic check failed");
        this.admin = admin;
        this.topics = List.copyOf(topics);
        this.retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sluice-topic-initializer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Runs before listeners and producers start (they run in later phases). */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE + 1000;
    }

    @Override
    public void start() {
        running = true;
        if (!ensureTopics()) {
            scheduleRetry();
        }
    }

    private void scheduleRetry() {
        retries.schedule(() -> {
            if (!ensureTopics()) {
                scheduleRetry();
            }
        }, RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** @return whether every topic exists */
    synchronized boolean ensureTopics() {
        try {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            int defaultReplication = -1;
            for (TopicSpec spec : topics) {
                if (!existing.contains(spec.name())) {
                    if (spec.replicationFactor() < 0 && defaultReplication < 0) {
                        defaultReplication = defaultReplicationFactor();
                    }
                    missing.add(newTopic(spec, spec.replicationFactor() < 0 ? defaultReplication : spec.replicationFactor()));
                }
            }
            for (NewTopic topic : missing) {
                try {
                    admin.createTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
                    log.info("Created topic {} ({} partitions, retention {} ms, min.insync.replicas {})", topic.name(),
                            topic.numPartitions(), topic.configs().get(TopicConfig.RETENTION_MS_CONFIG),
                            topic.configs().get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG));
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another instance creating it at the same moment is fine
                    }
                }
            }
            awaitLeaders(missing.stream().map(NewTopic::name).toList());
            List<String> existed = topics.stream().map(TopicSpec::name).filter(existing::contains).toList();
            reportPartitionMismatches(existed);
            reportWeakAcknowledgements(existed);
            ready = true;
            problem = null;
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem = "interrupted";
            return false;
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            problem = e.toString();
            log.warn("Cannot ensure the pipeline's topics yet (retrying every {} s): {}", RETRY.toSeconds(), e.toString());
            return false;
        }
    }

    /**
     * Waits until every partition of the just-created topics has a leader. An idempotent producer writing at once
     * can otherwise have its first request refused (the broker has not applied the partition yet) and a later one
     * accepted; every retry of the first then fails with OUT_OF_ORDER_SEQUENCE_NUMBER until it expires (KAFKA-15591,
     * fixed in brokers after 4.2).
     */
    private void awaitLeaders(List<String> created) throws ExecutionException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!created.isEmpty()) {
            Map<String, TopicDescription> descriptions;
            try {
                descriptions = admin.describeTopics(created).allTopicNames().get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                descriptions = Map.of(); // created, not yet in the metadata the broker answered from
            }
            boolean led = descriptions.values().stream().flatMap(d -> d.partitions().stream()).allMatch(p -> p.leader() != null);
            if (led && descriptions.keySet().containsAll(created)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("partitions of " + created + " still have no leader");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** Only for topics that existed before: the ones just created have what was asked. */
    private void reportPartitionMismatches(List<String> existed) throws ExecutionException, InterruptedException, TimeoutException {
        if (existed.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(existed).allTopicNames().get(10, TimeUnit.SECONDS);
        for (TopicSpec spec : topics) {
            int actual = Optional.ofNullable(descriptions.get(spec.name())).map(d -> d.partitions().size()).orElse(spec.partitions());
            if (actual != spec.partitions()) {
                log.warn("Topic {} has {} partitions, configuration says {}: left as is (changing it would break per-page ordering)",
                        spec.name(), actual, spec.partitions());
            }
        }
    }

    /**
     * An existing topic whose {@code min.insync.replicas} is below what its configuration asks: {@code acks=all}
     * then acknowledges a write fewer replicas hold than the README promises. Reported, not changed (an operator's
     * setting may be deliberate).
     */
    private void reportWeakAcknowledgements(List<String> existed) throws ExecutionException, InterruptedException, TimeoutException {
        if (existed.isEmpty()) {
            return;
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(existed).allTopicNames().get(10, TimeUnit.SECONDS);
        List<ConfigResource> resources = existed.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(10, TimeUnit.SECONDS);
        for (TopicSpec spec : topics) {
            TopicDescription description = descriptions.get(spec.name());
            Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
            if (description == null || config == null || config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG) == null) {
                continue;
            }
            int replicas = description.partitions().get(0).replicas().size();
            int actual = Integer.parseInt(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value());
            int wanted = spec.minInSyncReplicas(replicas);
            if (actual < wanted) {
                log.warn("Topic {} has {} replicas and min.insync.replicas {}: acks=all acknowledges a write that only {} replica(s) hold; "
                        + "configuration asks for {} (left as is: kafka-configs --alter --entity-type topics --entity-name {} "
                        + "--add-config min.insync.replicas={})", spec.name(), replicas, actual, actual, wanted, spec.name(), wanted);
            }
        }
    }

    /** The cluster's {@code default.replication.factor} (1 if it cannot be read: then min.insync.replicas is 1). */
    private int defaultReplicationFactor() throws ExecutionException, InterruptedException, TimeoutException {
        Collection<Node> nodes = admin.describeCluster().nodes().get(10, TimeUnit.SECONDS);
        if (nodes.isEmpty()) {
            return 1;
        }
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, Integer.toString(nodes.iterator().next().id()));
        ConfigEntry entry = admin.describeConfigs(List.of(broker)).all().get(10, TimeUnit.SECONDS).get(broker).get("default.replication.factor");
        return entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
    }

    private static NewTopic newTopic(TopicSpec spec, int effectiveReplicationFactor) {
        Optional<Short> replication = spec.replicationFactor() < 0 ? Optional.empty() : Optional.of(spec.replicationFactor());
        return new NewTopic(spec.name(), Optional.of(spec.partitions()), replication)
                .configs(Map.of(
                        TopicConfig.RETENTION_MS_CONFIG, Long.toString(spec.retention().toMillis()),
                        TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(spec.maxMessageBytes()),
                        TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(spec.minInSyncReplicas(effectiveReplicationFactor))));
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        if (ready) {
            builder.up().withDetail("topics", topics.stream().map(TopicSpec::name).toList());
        } else {
            builder.down().withDetail("problem", problem);
        }
    }

    @Override
    public void stop() {
        retries.shutdownNow();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
