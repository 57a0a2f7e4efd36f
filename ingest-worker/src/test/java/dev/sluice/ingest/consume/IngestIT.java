package dev.sluice.ingest.consume;

import static dev.sluice.ingest.PageWrites.id;
import static dev.sluice.ingest.PageWrites.page;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.core.envelope.EnvelopeCodec;
import dev.sluice.core.envelope.PageEnvelope;
import dev.sluice.core.page.Page;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.infra.test.TopicRecords;
import dev.sluice.ingest.PageWrites;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/** The worker against the real stack: what lands in {@code pages}, in which order, and what goes to the dead letters. */
@SharedStackTest
@SpringBootTest(properties = {
        "sluice.topics.pages.name=" + IngestIT.TOPIC,
        "sluice.topics.pages-dead-letters.name=" + IngestIT.DLQ,
        "sluice.ingest.group-id=ingest-it",
        "sluice.ingest.max-batch=100"})
class IngestIT {

    /** A page's body, whichever way its row stores it. */
    private static final RowMapper<String> BODY = (row, n) -> StoredBody.read(row);

    static final String TOPIC = "pages.ingest-it";
    static final String DLQ = "pages.ingest-it.dlq";

    static PageWrites writes;

    @Autowired
    DataSource dataSource;

    @Autowired
    StringRedisTemplate redis;

    @Autowired
    RedisKeys keys;

    @BeforeAll
    static void producer() {
        writes = new PageWrites(SharedStack.connections().kafkaBootstrap(), TOPIC);
    }

    @AfterAll
    static void closeProducer() {
        writes.close();
    }

    JdbcTemplate db() {
        return new JdbcTemplate(dataSource);
    }

    @Test
    void appliesEveryPageOnceAndCommitsThePositionsWithTheRows() {
        List<Page> pages = IntStream.range(0, 300)
                .mapToObj(i -> page("https://once.example/p/" + i, "2026-11-20T10:00:00Z", "<p>page " + i + "</p>"))
                .toList();
        writes.upsertAll(pages);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(db().queryForObject("SELECT count(*) FROM pages WHERE site = 'once.example'", Long.class)).isEqualTo(300));
        assertThat(db().queryForList("SELECT DISTINCT version FROM pages WHERE site = 'once.example'", Long.class)).containsExactly(1L);
        assertThat(db().queryForObject("SELECT body, body_zstd FROM pages WHERE id = ?", BODY, pages.get(7).id())).isEqualTo("<p>page 7</p>");

        // The positions saved with the rows cover every record of the topic, and Redis publishes the same.
        Map<Integer, Long> ends = endOffsets();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(storedPositions()).isEqualTo(ends);
            assertThat(publishedPositions()).isEqualTo(ends);
        });
    }

    @Test
    void theNewerFetchWinsWhateverTheArrivalOrder() {
        String late = "https://order.example/late-arrivals";
        writes.upsert(page(late, "2026-11-20T10:03:00Z", "third"));
        writes.upsert(page(late, "2026-11-20T10:01:00Z", "first"));
        writes.upsert(page(late, "2026-11-20T10:02:00Z", "second"));
        String inOrder = "https://order.example/in-order";
        writes.upsert(page(inOrder, "2026-11-20T10:01:00Z", "first"));
        writes.upsert(page(inOrder, "2026-11-20T10:02:00Z", "second"));
        writes.upsert(page(inOrder, "2026-11-20T10:03:00Z", "third"));

        awaitApplied();
        assertThat(row(late)).containsEntry("body", "third").containsEntry("version", 1L)
                .containsEntry("fetched_at", at("2026-11-20T10:03:00Z"));
        // Each of the three changed the page when it arrived: three versions, however they were batched.
        assertThat(row(inOrder)).containsEntry("body", "third").containsEntry("version", 3L);
    }

    @Test
    void aWriteSentTwiceChangesNothingTheSecondTime() {
        String url = "https://repeat.example/twice";
        Page page = page(url, "2026-11-20T10:00:00Z", "same");
        long first = writes.upsert(page).offset();
        writes.upsert(page);

        awaitApplied();
        assertThat(row(url)).containsEntry("version", 1L).containsEntry("source_offset", first);
    }

    @Test
    void anUnchangedRecrawlKeepsTheContentAndMovesTheFetchTime() {
        String url = "https://recrawl.example/";
        writes.upsert(page(url, "2026-11-20T10:00:00Z", "<p>stable</p>"));
        awaitApplied();
        Instant updatedBefore = ((Timestamp) row(url).get("updated_at")).toInstant();

        writes.upsert(page(url, "2026-11-20T11:00:00Z", "<p>stable</p>"));
        awaitApplied();
        assertThat(row(url)).containsEntry("body", "<p>stable</p>").containsEntry("version", 2L)
                .containsEntry("fetched_at", at("2026-11-20T11:00:00Z"));
        assertThat(((Timestamp) row(url).get("updated_at")).toInstant()).isAfter(updatedBefore);

        writes.upsert(page(url, "2026-11-20T12:00:00Z", "<p>changed</p>"));
        awaitApplied();
        assertThat(row(url)).containsEntry("body", "<p>changed</p>").containsEntry("version", 3L);
    }

    @Test
    void aDeleteLeavesATombstoneThatOnlyANewerFetchCanCross() {
        String url = "https://tombstone.example/a";
        writes.upsert(page(url, "2026-11-20T10:00:00Z", "alive"));
        writes.delete(url, "2026-11-20T10:05:00Z");
        writes.upsert(page(url, "2026-11-20T10:03:00Z", "late, older than the delete"));

        awaitApplied();
        assertThat(row(url)).containsEntry("deleted_at", at("2026-11-20T10:05:00Z")).containsEntry("body", null)
                .containsEntry("version", 2L);

        writes.upsert(page(url, "2026-11-20T10:07:00Z", "fetched again after the delete"));
        awaitApplied();
        assertThat(row(url)).containsEntry("deleted_at", null).containsEntry("body", "fetched again after the delete")
                .containsEntry("version", 3L);
    }

    @Test
    void aDeleteOfAPageNeverSeenStillFencesOffItsOlderFetch() {
        String url = "https://tombstone.example/never-seen";
        writes.delete(url, "2026-11-20T10:05:00Z");
        writes.upsert(page(url, "2026-11-20T10:03:00Z", "older than the delete"));

        awaitApplied();
        // Still a tombstone; it has learned its URL (and site) from the fenced fetch, for readers and invalidation.
        assertThat(row(url)).containsEntry("deleted_at", at("2026-11-20T10:05:00Z")).containsEntry("body", null)
                .containsEntry("url", url).containsEntry("version", 1L);
    }

    @Test
    void poisonGoesToTheDeadLetterTopicWithItsReasonWhileTheRestFlows() {
        String before = "https://poison.example/before";
        String after = "https://poison.example/after";
        String garbledId = id("https://poison.example/garbled");
        String postgresRefuses = "https://poison.example/year-zero";
        String wrongKey = id("https://poison.example/somewhere-else");

        writes.upsert(page(before, "2026-11-20T10:00:00Z", "before"));
        String garbled = where(writes.send(garbledId, "{\"v\":1,\"op\":\"upsert\",".getBytes(StandardCharsets.UTF_8)));
        // Valid to the envelope's rules, but outside PostgreSQL's calendar: refused by the database itself.
        byte[] yearZero = new EnvelopeCodec().encode(PageEnvelope.upsert(page(postgresRefuses, "0000-01-01T00:00:00Z", "x"),
                Instant.now(), "test"));
        String refused = where(writes.send(id(postgresRefuses), yearZero));
        byte[] misKeyed = new EnvelopeCodec().encode(PageEnvelope.upsert(page(after, "2026-11-20T10:00:00Z", "x"), Instant.now(), "test"));
        String mismatched = where(writes.send(wrongKey, misKeyed));
        writes.upsert(page(after, "2026-11-20T10:00:00Z", "after"));

        awaitApplied();
        assertThat(row(before)).containsEntry("body", "before");
        assertThat(row(after)).containsEntry("body", "after");
        assertThat(db().queryForObject("SELECT count(*) FROM pages WHERE id = ?", Long.class, id(postgresRefuses))).isZero();

        List<ConsumerRecord<String, byte[]>> letters = TopicRecords.readAll(SharedStack.connections().kafkaBootstrap(), DLQ);
        assertThat(letters).extracting(IngestIT::source).containsExactlyInAnyOrder(garbled, refused, mismatched);
        for (ConsumerRecord<String, byte[]> letter : letters) {
            assertThat(header(letter, DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPIC);
            assertThat(Instant.parse(header(letter, DeadLetters.FAILED_AT))).isBefore(Instant.now().plusSeconds(1));
        }
        Map<String, ConsumerRecord<String, byte[]>> bySource = letters.stream().collect(Collectors.toMap(IngestIT::source, letter -> letter));
        assertThat(header(bySource.get(garbled), DeadLetters.REASON)).startsWith("undecodable:");
        assertThat(bySource.get(garbled).value()).asString(StandardCharsets.UTF_8).isEqualTo("{\"v\":1,\"op\":\"upsert\",");
        assertThat(bySource.get(garbled).key()).isEqualTo(garbledId);
        assertThat(header(bySource.get(refused), DeadLetters.REASON)).startsWith("PostgreSQL refused the page");
        assertThat(bySource.get(refused).value()).isEqualTo(yearZero);
        assertThat(header(bySource.get(mismatched), DeadLetters.REASON)).contains("is not the page id");
    }

    /** Waits until the worker has applied everything written so far. */
    private void awaitApplied() {
        Map<Integer, Long> ends = endOffsets();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(storedPositions()).isEqualTo(ends));
    }

    private Map<String, Object> row(String url) {
        Map<String, Object> row = db().queryForMap(
                "SELECT url, body, body_zstd, version, fetched_at, deleted_at, source_offset, updated_at FROM pages WHERE id = ?",
                PageUrl.parse(url).id());
        row.put("body", StoredBody.text((String) row.get("body"), (byte[]) row.remove("body_zstd")));
        return row;
    }

    private static Timestamp at(String instant) {
        return Timestamp.from(Instant.parse(instant));
    }

    private Map<Integer, Long> endOffsets() {
        Map<Integer, Long> ends = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> record : TopicRecords.readAll(SharedStack.connections().kafkaBootstrap(), TOPIC)) {
            ends.merge(record.partition(), record.offset() + 1, Math::max);
        }
        return ends;
    }

    private Map<Integer, Long> storedPositions() {
        Map<Integer, Long> positions = new TreeMap<>();
        db().query("SELECT partition, next_offset FROM consumer_positions WHERE consumer_group = 'ingest-it' AND topic = ?",
                rs -> {
                    positions.put(rs.getInt(1), rs.getLong(2));
                }, TOPIC);
        return positions;
    }

    private Map<Integer, Long> publishedPositions() {
        Map<Integer, Long> positions = new TreeMap<>();
        redis.<String, String>opsForHash().entries(keys.appliedPositions(TOPIC))
                .forEach((partition, offset) -> positions.put(Integer.parseInt(partition), Long.parseLong(offset)));
        return positions;
    }

    private static String where(RecordMetadata written) {
        return written.partition() + "@" + written.offset();
    }

    /** Where a dead letter came from, as its headers say. */
    private static String source(ConsumerRecord<String, byte[]> letter) {
        return header(letter, DeadLetters.SOURCE_PARTITION) + "@" + header(letter, DeadLetters.SOURCE_OFFSET);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
