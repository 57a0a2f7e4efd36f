package dev.sluice.store.schema;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.Stack;
import dev.sluice.infra.test.SharedStackTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

@SharedStackTest
class SchemaMigratorIT {

    private static DataSource dataSource(Connections connections) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setUrl(connections.jdbcUrl());
        dataSource.setUser(connections.postgresUser());
        dataSource.setPassword(connections.postgresPassword());
        return dataSource;
    }

    @Test
    void twoInstancesStartingAtOnceApplyEachMigrationExactlyOnce(Stack stack) throws Exception {
        DataSource database = dataSource(stack.createDatabase("migrate_concurrently"));
        CyclicBarrier bothReady = new CyclicBarrier(2);
        ExecutorService starters = Executors.newFixedThreadPool(2);
        try {
            List<CompletableFuture<Integer>> applied = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                applied.add(CompletableFuture.supplyAsync(() -> {
                    SchemaMigrator migrator = new SchemaMigrator(database);
                    await(bothReady);
                    return migrator.migrate();
                }, starters));
            }
            int total = applied.stream().mapToInt(CompletableFuture::join).sum();

            int migrations = query(database, "SELECT count(*) FROM schema_history WHERE success AND version IS NOT NULL");
            assertThat(total).as("applied by the two starters together").isEqualTo(migrations).isEqualTo(Integer.parseInt(SchemaMigrator.LATEST_VERSION));
            assertThat(query(database, "SELECT count(DISTINCT version) FROM schema_history")).isEqualTo(migrations);
            assertThat(new SchemaMigrator(database).isUpToDate()).isTrue();
            assertThat(new SchemaMigrator(database).migrate()).as("a later start has nothing to do").isZero();
        } finally {
            starters.shutdownNow();
        }
    }

    @Test
    void theSchemaHasTheKeysetIndexAndNoFullTextIndexOnPages(Stack stack) throws Exception {
        DataSource database = dataSource(stack.createDatabase("schema_shape"));
        new SchemaMigrator(database).migrate();

        assertThat(strings(database, "SELECT indexdef FROM pg_indexes WHERE tablename = 'pages'"))
                .anySatisfy(index -> assertThat(index).contains("(site, fetched_at DESC, id DESC)"))
                .noneSatisfy(index -> assertThat(index).containsIgnoringCase("gin"));
        assertThat(strings(database, "SELECT indexdef FROM pg_indexes WHERE tablename = 'page_search'"))
                .anySatisfy(index -> assertThat(index).contains("USING gin (document)"));
        // page_search is derived from pages (V7): the change feed covers the source of truth, and its heartbeat (V8).
        assertThat(strings(database, "SELECT tablename FROM pg_publication_tables WHERE pubname = '"
                        + SchemaMigrator.PUBLICATION + "'"))
                .containsExactlyInAnyOrder("pages", "cdc_heartbeat");
        assertThat(strings(database, "SELECT column_name FROM information_schema.columns WHERE table_name = 'consumer_positions'"))
                .contains("consumer_group", "topic", "partition", "next_offset");
    }

    @Test
    void anEmptyDatabaseHasNoVersionAndIsNotUpToDate(Stack stack) {
        SchemaMigrator migrator = new SchemaMigrator(dataSource(stack.createDatabase("schema_empty")));

        assertThat(migrator.currentVersion()).isNull();
        assertThat(migrator.isUpToDate()).isFalse();
        assertThat(migrator.latestVersion()).isEqualTo(SchemaMigrator.LATEST_VERSION);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int query(DataSource dataSource, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getInt(1);
        }
    }

    private static List<String> strings(DataSource dataSource, String sql) throws SQLException {
        List<String> values = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            while (result.next()) {
                values.add(result.getString(1));
            }
        }
        return values;
    }
}
