package dev.sluice.platform.health;

import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/** The {@code kafka} health component: up when the cluster answers a metadata request within two seconds. */
public final class KafkaHealthIndicator extends AbstractHealthIndicator {

    private final Admin admin;

    public KafkaHealthIndicator(Admin admin) {
        super("Kafka health check failed");
        this.admin = admin;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) throws Exception {
        DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000));
        int nodes = cluster.nodes().get(2, TimeUnit.SECONDS).size();
        builder.up().withDetail("clusterId", cluster.clusterId().get(2, TimeUnit.SECONDS)).withDetail("nodes", nodes);
    }
}
