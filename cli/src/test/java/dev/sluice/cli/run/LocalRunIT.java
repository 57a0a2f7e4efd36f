package dev.sluice.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.infra.stack.FreePorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-command local run, as a user runs it: the launcher brings up the stack and the four services, all
 * ready; a stop leaves no process behind; a second start finds the data of the first.
 */
class LocalRunIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path data;

    @Test
    void startsEverythingReadyStopsWithoutLeftoversAndRestartsOnItsData() throws Exception {
        int apiPort = freePortBlock();

        Run first = Run.start(data, apiPort);
        first.awaitUp();
        for (int port = apiPort + 1; port <= apiPort + 4; port++) { // the workers', then the API's management port
            assertThat(status("http://127.0.0.1:" + port + "/actuator/health/readiness")).as("port %d ready", port).isEqualTo(200);
        }
        assertThat(status("http://127.0.0.1:" + apiPort + "/actuator/health/readiness")).as("the API's public port serves /v1/** only")
                .isEqualTo(404);
        Properties env = first.environment();
        try (Connection db = DriverManager.getConnection("jdbc:" + env.getProperty("SLUICE_PG_URL"), "postgres", "");
                Statement sql = db.createStatement()) {
            sql.execute("CREATE TABLE kept_between_runs (note text)");
            sql.execute("INSERT INTO kept_between_runs VALUES ('first run')");
        }
        aPostedPageFlowsThroughThePipelineIntoSearch(first, apiPort);
        CacheConsistencyUnderLoad cache = new CacheConsistencyUnderLoad("http://127.0.0.1:" + apiPort,
                Files.readString(first.data().resolve("dev-api-key")).strip(), env, Path.of(System.getProperty("sluice.home")));
        cache.aWorkersUpdateReplacesTheCachedPage();
        try (Connection db = DriverManager.getConnection("jdbc:" + env.getProperty("SLUICE_PG_URL"), "postgres", "")) {
            cache.randomReadsAndWritesEndWithNoStaleEntry(db, 1_500);
        }
        everySeriesTheAlertsAndDashboardsUseIsExported(apiPort);
        List<ProcessHandle> processes = first.processTree();
        assertThat(processes).as("launcher, postgres, redis and 4 services").hasSizeGreaterThanOrEqualTo(6);

        first.stop();
        Awaitility.await().alias("no process left").atMost(Duration.ofSeconds(60))
                .until(() -> processes.stream().noneMatch(ProcessHandle::isAlive));

        Run second = Run.start(data, apiPort);
        try {
            second.awaitUp();
            Properties env2 = second.environment();
            try (Connection db = DriverManager.getConnection("jdbc:" + env2.getProperty("SLUICE_PG_URL"), "postgres", "");
                    Statement sql = db.createStatement();
                    ResultSet rows = sql.executeQuery("SELECT note FROM kept_between_runs")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("first run");
            }
            assertThat(Files.readString(second.log)).doesNotContain("Created topic");
        } finally {
            List<ProcessHandle> again = second.processTree();
            second.stop();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> again.stream().noneMatch(ProcessHandle::isAlive));
        }
    }

    /**
     * The whole write path as deployed: the API enqueues, the worker upserts, Debezium publishes the change to
     * cdc.pages, the search indexer makes the page findable by its visible words (and not by a word in a script).
     */
    private static void aPostedPageFlowsThroughThePipelineIntoSearch(Run run, int apiPort) throws Exception {
        String key = Files.readString(run.data().resolve("dev-api-key")).strip();
        String page = """
                {"url":"https://end-to-end.example/kestrel","fetched_at":"2026-11-20T10:15:30Z","title":"Birds",
                 "content_type":"text/html",
                 "body":"<html><body><p>The kestrel hovers over meadows.</p><script>var zanzibar = 1;</script></body></html>"}""";
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/v1/pages"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(page)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        Properties env = run.environment();
        try (Connection db = DriverManager.getConnection("jdbc:" + env.getProperty("SLUICE_PG_URL"), "postgres", "")) {
            Awaitility.await().alias("searchable through the pipeline").atMost(Duration.ofSeconds(60))
                    .until(() -> count(db, "SELECT count(*) FROM page_search WHERE document @@ to_tsquery('english', 'meadow')") == 1);
            assertThat(count(db, "SELECT count(*) FROM page_search WHERE document @@ to_tsquery('english', 'zanzibar')")).isZero();
        }
    }

    /**
     * No alert or dashboard panel can silently show nothing: every series their PromQL names is one the running
     * services export (scraped after the pipeline did some work). Prometheus's own {@code up} is left aside.
     */
    private static void everySeriesTheAlertsAndDashboardsUseIsExported(int apiPort) throws Exception {
        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (int port = apiPort + 1; port <= apiPort + 4; port++) {
            HttpResponse<String> scrape = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            scrape.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                    .forEach(line -> exported.add(line.split("[{ ]", 2)[0]));
        }
        Path compose = Path.of("..", "infra", "compose");
        StringBuilder queries = new StringBuilder();
        // a one-line expression, or a block (expr: |) up to the rule's next key
        java.util.regex.Matcher alert = java.util.regex.Pattern.compile("(?ms)^\\s*expr:\\s*(.+?)^\\s*(?:for|labels|annotations):")
                .matcher(Files.readString(compose.resolve("prometheus/alerts.yml")));
        while (alert.find()) {
            queries.append(alert.group(1)).append('\n');
        }
        try (Stream<Path> dashboards = Files.list(compose.resolve("grafana/dashboards"))) {
            for (Path dashboard : dashboards.toList()) {
                java.util.regex.Matcher panel = java.util.regex.Pattern.compile("\"expr\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(Files.readString(dashboard));
                while (panel.find()) {
                    queries.append(panel.group(1).replace("\\\"", "\"")).append('\n');
                }
            }
        }
        java.util.Set<String> named = new java.util.TreeSet<>();
        java.util.regex.Matcher series = java.util.regex.Pattern.compile("\\b((?:sluice|jvm|http_server|kafka|process|system|hikaricp|lettuce|r2dbc|executor)_[a-z0-9_]+)\\b")
                .matcher(queries);
        while (series.find()) {
            named.add(series.group(1));
        }
        assertThat(named).as("series the alerts and dashboards name").isNotEmpty();
        assertThat(named).as("every one of them is exported by a running service (exported: %s)", exported).isSubsetOf(exported);
    }

    static long count(Connection db, String query) throws Exception {
        try (Statement sql = db.createStatement(); ResultSet rows = sql.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private record Run(Process process, Path log, Path data) {

        static Run start(Path data, int apiPort) throws IOException {
            Path log = Files.createTempFile("local-run", ".log");
            Process process = new ProcessBuilder(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-Dsluice.home=" + System.getProperty("sluice.home"),
                    "-jar", Path.of("target", "sluice-cli.jar").toString(), "run",
                    "--data-dir", data.toString(), "--api-port", Integer.toString(apiPort),
                    "--kafka-port", "0", "--postgres-port", "0", "--redis-port", "0")
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            return new Run(process, log, data);
        }

        void awaitUp() {
            Awaitility.await().alias("Sluice is up").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> {
                        String output = Files.readString(log);
                        assertThat(output).doesNotContain("Not every service became ready");
                        assertThat(process.isAlive()).as("launcher alive; its output:\n" + output).isTrue();
                        return output.contains("Sluice is up.");
                    });
        }

        Properties environment() throws IOException {
            Properties env = new Properties();
            for (String line : Files.readAllLines(data.resolve("env"))) {
                int eq = line.indexOf('=');
                if (!line.startsWith("#") && eq > 0) {
                    env.setProperty(line.substring(0, eq), line.substring(eq + 2, line.length() - 1));
                }
            }
            return env;
        }

        List<ProcessHandle> processTree() {
            return Stream.concat(Stream.of(process.toHandle()), process.toHandle().descendants()).toList();
        }

        /** SIGTERM, as a process manager (or Ctrl-C, through the JVM's shutdown hooks) stops it. */
        void stop() {
            process.destroy();
        }
    }

    private static int status(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * A port p such that p..p+4 are free (API, ingest, invalidator, backup, the API's management), below the ephemeral
     * range: a block the OS handed out lay inside it, and a client's connection took one of its ports before the
     * worker bound it ("Port 34952 was already in use", a CI run).
     */
    private static int freePortBlock() {
        return FreePorts.pickBlock(5);
    }
}
