package dev.sluice.ingest.consume;

import dev.sluice.store.apply.Positions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;

/**
 * On assignment, starts each partition where PostgreSQL says the group stopped: the positions committed with the
 * rows, not Kafka's committed offsets (which lag them, and which a database restored from a backup would be
 * ahead of). A partition with no stored position starts from the beginning: nothing of it is applied.
 */
class PositionSeeker implements ConsumerAwareRebalanceListener {

    private static final Logger log = LoggerFactory.getLogger(PositionSeeker.class);

    private final DataSource dataSource;
    private final String group;

    PositionSeeker(DataSource dataSource, String group) {
        this.dataSource = dataSource;
        this.group = group;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (partitions.isEmpty()) {
            return;
        }
        String topic = partitions.iterator().next().topic();
        Map<Integer, Long> positions = load(topic, partitions.stream().map(TopicPartition::partition).toList());
        for (TopicPartition partition : partitions) {
            Long next = positions.get(partition.partition());
            if (next == null) {
                consumer.seekToBeginning(List.of(partition));
            } else {
                consumer.seek(partition, next);
            }
        }
        log.info("Assigned {}: resuming from PostgreSQL's positions {} (others from the beginning)", partitions, positions);
    }

    /** Retries until PostgreSQL answers: without the positions, no partition can be read correctly. */
    private Map<Integer, Long> load(String topic, List<Integer> partitions) {
        Duration pause = Duration.ofMillis(200);
        for (int attempt = 1; ; attempt++) {
            try (Connection db = dataSource.getConnection()) {
                return Positions.load(db, group, topic, partitions);
            } catch (SQLException e) {
                log.warn("Cannot read the consumed positions (attempt {}), retrying in {} ms: {}", attempt, pause.toMillis(), e.toString());
                LockSupport.parkNanos(pause.toNanos());
                if (Thread.currentThread().isInterrupted()) {
                    throw new IllegalStateException("interrupted while reading the consumed positions", e);
                }
                pause = pause.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : pause.multipliedBy(2);
            }
        }
    }
}
