package dev.sluice.backup.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.backup.store.BackupStore;
import dev.sluice.backup.store.DirectoryStore;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The worker takes snapshots on its schedule, keeps what its retention says, rehearses restores on the drill
 * schedule, and says how the last ones went, in its metrics and its health.
 */
@SharedStackTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "sluice.backup.schedule=*/2 * * * * *", "sluice.backup.drill-schedule=*/3 * * * * *", "sluice.backup.retention.keep-last=3",
        "sluice.backup.retention.keep-daily=0", "sluice.backup.retention.keep-weekly=0", "sluice.backup.retention.keep-monthly=0"})
@AutoConfigureWebTestClient
class SnapshotScheduleIT {

    static final Path DIRECTORY = newDirectory();

    @DynamicPropertySource
    static void backupsInAFreshDirectory(DynamicPropertyRegistry registry) {
        registry.add("sluice.backup.directory", DIRECTORY::toString);
    }

    @Autowired
    WebTestClient http;

    @Autowired
    SchemaMigrator schema;

    @Autowired
    DataSource dataSource;

    @Test
    void takesSnapshotsOnScheduleAndReportsTheLastOne() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> http.get().uri("/actuator/prometheus").exchange()
                .expectBody(String.class).value(body -> assertThat(body)
                        .as("skipped, not failed, until the ingest worker has migrated the schema")
                        .containsPattern("sluice_backup_snapshot_skipped_total\\{[^}]*\\} [1-9]")
                        .containsPattern("sluice_backup_snapshot_failures_total\\{[^}]*\\} 0\\.0")));
        schema.migrate();
        new JdbcTemplate(dataSource).update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                SELECT md5(n::text), 'https://schedule.example/' || n, 'schedule.example', 'Page ' || n, repeat('<p>text</p>', 50),
                       now(), 1, 0, n FROM generate_series(1, 200) AS n""");
        BackupStore store = new BackupStore(new DirectoryStore(DIRECTORY));

        await().atMost(Duration.ofSeconds(30)).until(() -> store.list().stream().anyMatch(backup -> backup.tables().get(0).rows() == 200)
                && store.list().size() >= 2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> http.get().uri("/actuator/prometheus").exchange()
                .expectBody(String.class).value(body -> assertThat(body).containsPattern("sluice_backup_drill_last_passed\\{[^}]*\\} 1\\.0")));
        await().atMost(Duration.ofSeconds(30)).until(() -> store.list().size() == 3); // retention: the newest 3 only

        try (var files = Files.list(DIRECTORY)) {
            assertThat(files.filter(p -> p.getFileName().toString().startsWith(".")).toList()).as("no partial folder left behind").isEmpty();
        }
        http.get().uri("/actuator/health").exchange()
                .expectBody().jsonPath("$.components.backups.status").isEqualTo("UP");
        http.get().uri("/actuator/prometheus").exchange()
                .expectStatus().isOk()
                .expectBody(String.class)
                .value(body -> assertThat(body)
                        .contains("sluice_backup_snapshot_last_success_age_seconds")
                        .contains("sluice_backup_snapshot_last_size_bytes")
                        .containsPattern("sluice_backup_snapshot_last_compression_ratio\\{[^}]*\\} [1-9]"));
    }

    private static Path newDirectory() {
        try {
            return Files.createTempDirectory(Files.createDirectories(Path.of("target")), "snapshot-schedule-it");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
