package dev.sluice.cli.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CliRun;
import dev.sluice.cli.TopicWrites;
import dev.sluice.core.page.PageUrl;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

/**
 * The Kappa workflow: rebuild {@code pages} from the topic into a shadow table, diff it against a live table that
 * was changed by hand (and by a live write after the replay), swap it in.
 */
@SharedStackTest
class ShadowIT {

    /** A page's body, whichever way its row stores it. */
    private static final RowMapper<String> BODY = (row, n) -> StoredBody.read(row);

    static final String TOPIC = "pages.shadow-it";
    static final Instant FETCHED = Instant.parse("2026-11-20T10:00:00Z");

    static Connections connections;
    static JdbcTemplate db;

    @BeforeAll
    static void stack() {
        connections = SharedStack.forTestClass(ShadowIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
    }

    @Test
    void aShadowRebuiltFromTheTopicShowsAndUndoesWhatWasChangedByHand() {
        long editedVersion;
        try (TopicWrites writes = new TopicWrites(connections.kafkaBootstrap(), TOPIC, 2)) {
            for (int i = 0; i < 20; i++) {
                writes.upsert(TopicWrites.page(url(i), FETCHED, "body " + i), FETCHED.plusMillis(i));
            }
            applyLive(); // the live workers' apply path, as a replay into pages

            db.update("UPDATE pages SET title = 'edited by hand' WHERE id = ?", id(1));
            db.update("DELETE FROM pages WHERE id = ?", id(2));
            db.update("""
                    INSERT INTO pages (id, url, site, title, fetched_at, version, source_partition, source_offset)
                    VALUES (?, 'https://shadow.example/by-hand', 'shadow.example', 'inserted by hand', now(), 1, 0, 0)""", id("by-hand"));
            editedVersion = version(1);
            // a row as written before schema 13 (its body as text): the shadow stores the same body compressed, no difference
            db.update("UPDATE pages SET body = 'body 4', body_zstd = NULL WHERE id = ?", id(4));

            assertThat(cli("replay", "--into", "shadow", "--table", "pages_rebuilt", "--topic", TOPIC).exitCode()).isZero();

            // a live write after the replay: the shadow does not have it, and must not undo it
            writes.upsert(TopicWrites.page(url(3), FETCHED.plusSeconds(60), "newer body"), FETCHED.plusSeconds(60));
            applyLive();
        }

        CliRun diff = cli("shadow", "diff", "--table", "pages_rebuilt", "--topic", TOPIC);
        assertThat(diff.exitCode()).as(diff.toString()).isZero();
        assertThat(diff.out()).containsPattern("added\\s+1 ").containsPattern("changed\\s+1 ").containsPattern("removed\\s+1 ")
                .containsPattern("kept\\s+1 ").containsPattern("unchanged\\s+17");

        CliRun dryRun = cli("shadow", "swap", "--table", "pages_rebuilt", "--topic", TOPIC);
        assertThat(dryRun.out()).contains("add --yes");
        assertThat(db.queryForObject("SELECT title FROM pages WHERE id = ?", String.class, id(1))).isEqualTo("edited by hand");

        CliRun swap = cli("shadow", "swap", "--table", "pages_rebuilt", "--topic", TOPIC, "--yes");
        assertThat(swap.exitCode()).as(swap.toString()).isZero();
        assertThat(swap.out()).containsPattern("added\\s+1 ").containsPattern("changed\\s+1 ").containsPattern("removed\\s+1 ");

        assertThat(db.queryForObject("SELECT title FROM pages WHERE id = ?", String.class, id(1))).isEqualTo("Title of " + url(1));
        assertThat(version(1)).as("the version moves, so cached copies are fenced off").isGreaterThan(editedVersion);
        assertThat(db.queryForObject("SELECT body, body_zstd FROM pages WHERE id = ?", BODY, id(2))).isEqualTo("body 2");
        assertThat(db.queryForObject("SELECT deleted_at IS NOT NULL FROM pages WHERE id = ?", Boolean.class, id("by-hand"))).isTrue();
        assertThat(db.queryForObject("SELECT body, body_zstd FROM pages WHERE id = ?", BODY, id(3))).isEqualTo("newer body");

        CliRun after = cli("shadow", "diff", "--table", "pages_rebuilt", "--topic", TOPIC);
        assertThat(after.out()).containsPattern("added\\s+0 ").containsPattern("changed\\s+0 ").containsPattern("removed\\s+0 ")
                .containsPattern("kept\\s+1 ");

        CliRun wouldDrop = cli("shadow", "drop", "--table", "pages_rebuilt");
        assertThat(wouldDrop.exitCode()).isZero();
        assertThat(wouldDrop.out()).contains("Would drop shadow pages_rebuilt").contains("add --yes");
        assertThat(db.queryForObject("SELECT to_regclass('pages_rebuilt') IS NULL", Boolean.class)).as("kept without --yes").isFalse();
        assertThat(cli("shadow", "drop", "--table", "pages_rebuilt", "--yes").exitCode()).isZero();
        assertThat(db.queryForObject("SELECT to_regclass('pages_rebuilt') IS NULL", Boolean.class)).isTrue();
        assertThat(cli("shadow", "diff", "--table", "pages_rebuilt").exitCode()).as("no such shadow any more").isEqualTo(1);
    }

    @Test
    void theLiveTableCannotBeUsedAsAShadow() {
        CliRun run = cli("shadow", "diff", "--table", "pages");
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.err()).contains("other than pages");
    }

    @Test
    void aTableOfThePipelineIsNeverDroppedSwappedOrReplayedIntoAsAShadow() {
        for (String table : java.util.List.of("api_keys", "consumer_positions", "page_search")) {
            for (String[] command : java.util.List.of(new String[] {"shadow", "drop", "--table", table, "--yes"},
                    new String[] {"shadow", "swap", "--table", table, "--yes"},
                    new String[] {"replay", "--into", "shadow", "--table", table, "--topic", TOPIC})) {
                CliRun run = cli(command);
                assertThat(run.exitCode()).as(String.join(" ", command) + ": " + run).isNotZero();
                assertThat(run.err()).as(String.join(" ", command)).contains("Refused: " + table + " is not a shadow table");
            }
            assertThat(db.queryForObject("SELECT to_regclass(?) IS NOT NULL", Boolean.class, table)).as(table + " is still there").isTrue();
        }
    }

    private static void applyLive() {
        CliRun run = cli("replay", "--into", "postgres", "--topic", TOPIC, "--name", "live");
        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    private static CliRun cli(String... args) {
        return CliRun.of(connections, args);
    }

    private static long version(int page) {
        return db.queryForObject("SELECT version FROM pages WHERE id = ?", Long.class, id(page));
    }

    private static String url(int page) {
        return "https://shadow.example/" + page;
    }

    private static String id(int page) {
        return PageUrl.parse(url(page)).id();
    }

    private static String id(String path) {
        return PageUrl.parse("https://shadow.example/" + path).id();
    }
}
