package dev.sluice.infra.test;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.Stack;
import dev.sluice.infra.stack.StackOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one stack of a test JVM, started on first use and stopped once, after everything that uses it.
 *
 * <p>Which services: embedded by default; external where {@code SLUICE_KAFKA_BOOTSTRAP}, {@code SLUICE_PG_URL} or
 * {@code SLUICE_REDIS_URL} name them; containers when {@code SLUICE_TEST_STACK=testcontainers} and Docker runs.
 * Its files live under the system property {@code sluice.test.work-dir} (Failsafe sets it under {@code target/}).
 */
public final class SharedStack {

    public static final String MODE_ENV = "SLUICE_TEST_STACK";

    private static final Logger log = LoggerFactory.getLogger(SharedStack.class);
    private static final List<AutoCloseable> closeFirst = new ArrayList<>();
    private static Stack stack;
    private static AutoCloseable containers;

    private SharedStack() {}

    public static synchronized Stack get() {
        if (stack == null) {
            Path workDir = workDirectory();
            Map<String, String> environment = new HashMap<>(System.getenv());
            if ("testcontainers".equalsIgnoreCase(System.getenv(MODE_ENV))) {
                ContainerStack started = ContainerStack.start();
                containers = started;
                environment.putAll(started.connections().toEnvironment());
            }
            stack = Stack.start(StackOptions.forTests(workDir).withEnvironment(environment));
            Runtime.getRuntime().addShutdownHook(new Thread(SharedStack::close, "sluice-shared-stack-stop"));
        }
        return stack;
    }

    public static Connections connections() {
        return get().connections();
    }

    /**
     * The connections of a test class annotated {@link SharedStackTest}: the shared servers, the class's own
     * database (created on first use). For set-up that runs before Spring, such as migrating that database.
     */
    public static Connections forTestClass(Class<?> testClass) {
        return SharedStackExtension.databaseConnections(testClass);
    }

    /** Something that must stop before the stack does (an application context still talking to it). */
    public static synchronized void closeBeforeStack(AutoCloseable closeable) {
        closeFirst.add(closeable);
    }

    /** Stops what uses the stack, then the stack. Idempotent. */
    static synchronized void close() {
        for (int i = closeFirst.size() - 1; i >= 0; i--) {
            try {
                closeFirst.get(i).close();
            } catch (Exception e) {
                log.warn("Failed to close {} before the shared stack", closeFirst.get(i), e);
            }
        }
        closeFirst.clear();
        if (stack != null) {
            stack.close();
            stack = null;
        }
        if (containers != null) {
            try {
                containers.close();
            } catch (Exception e) {
                log.warn("Failed to stop the test containers", e);
            }
            containers = null;
        }
    }

    private static Path workDirectory() {
        try {
            String configured = System.getProperty("sluice.test.work-dir");
            Path dir = configured != null ? Path.of(configured) : Files.createTempDirectory("sluice-stack");
            if (Files.exists(dir)) {
                deleteRecursively(dir); // a previous run's data must not leak into this one
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
