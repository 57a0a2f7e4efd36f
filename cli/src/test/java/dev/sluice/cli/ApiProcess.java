package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The real API service, from its jar (built earlier in the reactor), on its own topic and Redis prefix. */
public final class ApiProcess {

    static final Path API_JAR = Path.of("..", "api-service", "target", "sluice-api-service.jar");

    private ApiProcess() {}

    /** The API running on a test class's database, with a key of its own. */
    public record Running(Connections connections, ServiceProcess process, String key) {}

    /**
     * Migrates the test class's database, creates a write key of {@code rate} pages/s (burst {@code burst}), and
     * starts the API on {@code topic}.
     */
    public static Running withKey(Class<?> testClass, String topic, int rate, int burst) throws SQLException {
        Connections connections = SharedStack.forTestClass(testClass);
        new SchemaMigrator(connections.dataSource()).migrate();
        String key;
        try (Connection db = connections.dataSource().getConnection()) {
            key = ApiKeyRecords.create(db, testClass.getSimpleName(), rate, burst, List.of("write"));
        }
        return new Running(connections, start(connections, topic, System.out), key);
    }

    /** Starts it and waits until it is ready; {@code out} gets its log lines. */
    public static ServiceProcess start(Connections connections, String topic, PrintStream out) {
        return start(connections, topic, out, Map.of());
    }

    /** As {@link #start(Connections, String, PrintStream)}, with more environment (a log level, say). */
    public static ServiceProcess start(Connections connections, String topic, PrintStream out, Map<String, String> extraEnvironment) {
        assertThat(API_JAR).as("the API jar (built earlier in the reactor)").isRegularFile();
        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.put("SLUICE_TOPICS_PAGES_NAME", topic);
        environment.put("SLUICE_TOPICS_PAGESDEADLETTERS_NAME", topic + ".dlq");
        environment.put("SLUICE_REDIS_KEYPREFIX", topic + ":");
        environment.put("SLUICE_TOKENS_SECRETS", topic + "-secret-for-consistency-tokens-0123456789");
        environment.putAll(extraEnvironment);
        int port = FreePorts.pick();
        ServiceProcess api = new ServiceProcess("api", API_JAR, port, FreePorts.pickOtherThan(port), environment,
                ServiceProcess.QUICK_START_JVM, out, null);
        api.start();
        await().atMost(Duration.ofSeconds(120)).until(() -> api.isReady() || !api.isAlive());
        assertThat(api.isAlive()).as("the API is running").isTrue();
        return api;
    }
}
