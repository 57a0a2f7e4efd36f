package dev.sluice.ingest.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.page.Page;
import dev.sluice.ingest.PageWrites;
import dev.sluice.infra.stack.PostgresNode;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.JdbcTemplate;

/** PostgreSQL restarting under load is a pause, not poison: the worker retries, resumes, loses nothing. */
@SharedStackTest
@SpringBootTest(properties = {
        "sluice.topics.pages.name=" + DatabaseRestartIT.TOPIC,
        "sluice.topics.pages-dead-letters.name=" + DatabaseRestartIT.TOPIC + ".dlq",
        "sluice.ingest.group-id=ingest-db-restart-it",
        "sluice.ingest.max-batch=200",
        "sluice.ingest.retry-max-interval=1s"})
class DatabaseRestartIT {

    static final String TOPIC = "pages.db-restart-it";
    static final int PAGES = 500;
    static final int ROUNDS = 20;

    @Autowired
    DataSource dataSource;

    @Autowired
    MeterRegistry meters;

    @Test
    void aDatabaseRestartUnderLoadIsRetriedWithoutLossOrDeadLetters() {
        assertThat(SharedStack.get().postgres()).as("an embedded PostgreSQL this test can restart").isPresent();
        JdbcTemplate db = new JdbcTemplate(dataSource);
        String body = "<html><body>" + "<p>scraped text</p>".repeat(100) + "</body></html>";
        try (PageWrites writes = new PageWrites(SharedStack.connections().kafkaBootstrap(), TOPIC)) {
            for (int round = 1; round <= ROUNDS; round++) {
                String fetchedAt = Instant.parse("2026-11-20T10:00:00Z").plusSeconds(round).toString();
                int r = round;
                List<Page> pages = IntStream.range(0, PAGES)
                        .mapToObj(i -> PageWrites.page("https://restart.example/" + i, fetchedAt, "round " + r + body))
                        .toList();
                writes.upsertAll(pages);
            }
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10)).until(() -> applied(db) > 0);

        PostgresNode postgres = SharedStack.get().postgres().orElseThrow();
        postgres.restart();

        await().atMost(Duration.ofSeconds(120)).until(() -> applied(db) == PAGES * ROUNDS);
        assertThat(db.queryForList("SELECT DISTINCT version FROM pages WHERE site = 'restart.example'", Long.class))
                .containsExactly((long) ROUNDS);
        assertThat(db.queryForObject("SELECT count(*) FROM pages WHERE site = 'restart.example'", Long.class)).isEqualTo(PAGES);
        assertThat(TopicRecords.readAll(SharedStack.connections().kafkaBootstrap(), TOPIC + ".dlq")).isEmpty();
        assertThat(meters.counter("sluice.ingest.retries").count()).as("the restart was seen, and retried").isPositive();
    }

    private static long applied(JdbcTemplate db) {
        try {
            Long sum = db.queryForObject("SELECT coalesce(sum(next_offset), 0) FROM consumer_positions WHERE consumer_group = 'ingest-db-restart-it' AND topic = ?",
                    Long.class, TOPIC);
            return sum == null ? 0 : sum;
        } catch (RuntimeException e) {
            return -1; // the database is restarting
        }
    }
}
