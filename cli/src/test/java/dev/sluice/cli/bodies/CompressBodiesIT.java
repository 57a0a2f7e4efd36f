package dev.sluice.cli.bodies;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CliRun;
import dev.sluice.core.page.StoredBody;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.schema.SchemaMigrator;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Rows from before schema 13 hold their body as text; {@code sluice bodies compress} moves them over, invisibly to readers. */
@SharedStackTest
class CompressBodiesIT {

    static Connections connections;
    static JdbcTemplate db;

    @BeforeAll
    static void rowsFromBeforeCompression() {
        connections = SharedStack.forTestClass(CompressBodiesIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        db = new JdbcTemplate(connections.dataSource());
        db.update("""
                INSERT INTO pages (id, url, site, title, body, fetched_at, version, source_partition, source_offset)
                SELECT md5(n::text), 'https://bodies.example/' || n, 'bodies.example', 'page ' || n,
                       '<html><body>' || repeat('<p>page ' || n || ', été 🚀</p>', 50 + n % 7) || '</body></html>', now(), 1 + n % 3, 0, n
                FROM generate_series(1, 1234) AS n""");
        db.update("UPDATE pages SET body = NULL WHERE id = md5('7')"); // a page without a body
        try (StoredBody.Compressor compressor = StoredBody.compressor()) {
            db.update("UPDATE pages SET body = NULL, body_zstd = ? WHERE id = md5('8')", compressor.compress("<p>already compressed</p>"));
        }
    }

    @Test
    void aDryRunCountsThenTheCommandCompressesEveryTextBodyAndReadersSeeNoChange() {
        Map<String, String> before = rows();

        CliRun dryRun = CliRun.of(connections, "bodies", "compress", "--dry-run");
        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out()).contains("1,232 page(s) hold their body as text");
        assertThat(db.queryForObject("SELECT count(*) FROM pages WHERE body IS NOT NULL", Long.class)).as("a dry run changes nothing").isEqualTo(1232);

        CliRun run = CliRun.of(connections, "bodies", "compress", "--batch", "100", "--max-rate", "0");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Compressed 1,232 bodies");
        assertThat(run.err()).as("progress").contains("Compressing");

        assertThat(db.queryForObject("SELECT count(*) FROM pages WHERE body IS NOT NULL", Long.class)).isZero();
        assertThat(rows()).as("the same bodies, versions and places in the change feed as before").containsExactlyEntriesOf(before);
        assertThat(CliRun.of(connections, "bodies", "compress").out()).contains("0 page(s) hold their body as text");
    }

    /** What readers see of every row, by id: its version, its place in the change feed and its body as text. */
    private static Map<String, String> rows() {
        Map<String, String> rows = new TreeMap<>();
        db.query("SELECT id, body, body_zstd, version, change_xid FROM pages", row -> {
            rows.put(row.getString("id"), row.getLong("version") + " " + row.getLong("change_xid") + " " + StoredBody.read(row));
        });
        return rows;
    }
}
