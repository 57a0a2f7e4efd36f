package dev.sluice.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/** The real change feed for a test's database: the cache-invalidator process with only its Debezium reader on. */
public final class ChangeFeedProcess {

    static final Path INVALIDATOR = Path.of("..", "cache-invalidator", "target", "sluice-cache-invalidator.jar");

    private ChangeFeedProcess() {}

    /** Starts it publishing to {@code topic} from the slot {@code slot}, and waits until it reads the slot. */
    public static ServiceProcess start(Connections connections, String topic, String slot) {
        assertThat(INVALIDATOR).as("the cache-invalidator jar (built earlier in the reactor)").isRegularFile();
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.put("SLUICE_TOPICS_CDCPAGES_NAME", topic);
        environment.put("SLUICE_CDC_SLOTNAME", slot);
        environment.put("SLUICE_CDC_OFFSETSTOPIC", slot + ".offsets");
        environment.put("SLUICE_INVALIDATOR_ENABLED", "false"); // only the change feed
        ServiceProcess feed = new ServiceProcess("change-feed", INVALIDATOR, FreePorts.pick(), environment, ServiceProcess.QUICK_START_JVM,
                System.out, null);
        feed.start();
        JdbcTemplate db = new JdbcTemplate(connections.dataSource());
        await().atMost(Duration.ofSeconds(90)).until(() -> Boolean.TRUE.equals(db.query(
                "SELECT active FROM pg_replication_slots WHERE slot_name = ?", result -> result.next() ? result.getBoolean(1) : null, slot)));
        return feed;
    }
}
