package dev.sluice.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.core.cache.RedisKeys;
import dev.sluice.infra.process.ServiceProcess;
import dev.sluice.infra.stack.Connections;
import dev.sluice.infra.stack.FreePorts;
import dev.sluice.infra.stack.KafkaCluster;
import dev.sluice.infra.test.SharedStack;
import dev.sluice.infra.test.SharedStackTest;
import dev.sluice.store.apikey.ApiKeyRecords;
import dev.sluice.store.cache.ConsistencyChecker;
import dev.sluice.store.schema.SchemaMigrator;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pipeline on a three-broker Kafka cluster (each broker a JVM of its own; topics with three replicas and
 * min.insync.replicas 2) while crawlers write: one broker is killed with SIGKILL, then a second one for a while,
 * then both come back. Every write a crawler saw acknowledged (202) is applied exactly once at its newest version;
 * while only one broker runs, writes are refused with 503, never acknowledged; and once all is back the cache
 * agrees with PostgreSQL.
 */
@SharedStackTest
class BrokerFailureIT {

    static final Path JARS = Path.of("..", "..");
    static final int CRAWLERS = 2;
    static final int URLS_PER_CRAWLER = 60;
    static final String REDIS_PREFIX = "broker-it:";
    static final Instant FIRST_FETCH = Instant.parse("2026-12-01T00:00:00Z");

    static Path data;
    static Connections connections;
    static KafkaCluster kafka;
    static final List<ServiceProcess> services = new ArrayList<>();
    static String key;

    @BeforeAll
    static void pipelineOnThreeBrokers() throws Exception {
        data = Files.createTempDirectory("broker-failure-it");
        connections = SharedStack.forTestClass(BrokerFailureIT.class);
        new SchemaMigrator(connections.dataSource()).migrate();
        try (Connection db = connections.dataSource().getConnection()) {
            key = ApiKeyRecords.create(db, "crawlers", 100_000, 100_000, List.of("write", "read"));
        }
        kafka = KafkaCluster.inChildProcesses(data.resolve("kafka"), 3);

        Map<String, String> environment = new HashMap<>(connections.toEnvironment());
        environment.put(Connections.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
        environment.put("SLUICE_REDIS_KEYPREFIX", REDIS_PREFIX);
        environment.put("SLUICE_TOKENS_SECRETS", "broker-failure-it-secret-for-consistency-tokens-0123456789");
        environment.put("SLUICE_CDC_SLOTNAME", "sluice_cdc_broker_it");
        environment.put("SLUICE_INVALIDATOR_STATEDIR", data.resolve("streams").toString());
        environment.put("SLUICE_SEARCH_ENABLED", "false");
        environment.put("SLUICE_API_WRITE_ACKTIMEOUT", "5s");
        environment.put("SLUICE_API_WRITE_RETRYAFTER", "1s");

        services.add(service("ingest", "ingest-worker", environment));
        services.add(service("invalidator", "cache-invalidator", environment));
        int apiPort = FreePorts.pick();
        services.add(new ServiceProcess("api", jar("api-service"), apiPort, FreePorts.pickOtherThan(apiPort), environment,
                ServiceProcess.QUICK_START_JVM, System.out, null));
        services.forEach(ServiceProcess::start);
        await().atMost(Duration.ofMinutes(3)).until(() -> services.stream().allMatch(service -> service.isReady() || !service.isAlive()));
        assertThat(services).allSatisfy(service -> assertThat(service.isAlive()).as(service.name()).isTrue());
    }

    @AfterAll
    static void stop() {
        services.forEach(ServiceProcess::kill);
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void everyAcknowledgedWriteIsAppliedOnceAtItsNewestVersionThroughBrokerFailures() throws Exception {
        Crawlers crawlers = new Crawlers(services.get(2).port());
        crawlers.start();

        crawlers.awaitMoreAcknowledged(200);
        kafka.broker(2).kill();
        long beforeFirst = crawlers.acknowledged.get();
        crawlers.awaitMoreAcknowledged(200);
        assertThat(crawlers.acknowledged.get()).as("writes go on with one broker of three down").isGreaterThan(beforeFirst);

        kafka.broker(3).kill();
        long refusedBefore = crawlers.refused.get();
        await().alias("with one broker left, writes are refused with 503").atMost(Duration.ofSeconds(60))
                .until(() -> crawlers.refused.get() > refusedBefore + 5);
        kafka.broker(3).startAgain();
        kafka.broker(2).startAgain();

        crawlers.awaitMoreAcknowledged(300);
        crawlers.stop();
        assertThat(crawlers.failures).as("only 202 and 503 answers").isEmpty();

        System.out.printf("BrokerFailureIT: %,d writes acknowledged over %,d pages, %,d refused with 503 and retried%n",
                crawlers.acknowledged.get(), crawlers.lastTitle.size(), crawlers.refused.get());
        await().alias("every acknowledged write applied").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1))
                .untilAsserted(() -> assertThat(crawlers.mismatches()).isEmpty());
        assertThat(services).allSatisfy(service -> assertThat(service.isAlive()).as(service.name() + " survived").isTrue());

        RedisClient redis = RedisClient.create(connections.redisUrl());
        try (StatefulRedisConnection<String, String> cache = redis.connect()) {
            ConsistencyChecker checker = new ConsistencyChecker(cache.sync(), new RedisKeys(REDIS_PREFIX));
            crawlers.readEveryPage(); // fills the cache, some entries possibly just before their invalidation
            await().alias("no stale cache entry").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                try (Connection db = connections.dataSource().getConnection()) {
                    ConsistencyChecker.Result result = checker.check(db, 0, checked -> {});
                    assertThat(result.checked()).isPositive();
                    assertThat(result.stale()).as("stale: %s", result.staleIds()).isZero();
                }
            });
        } finally {
            redis.shutdown();
        }
    }

    /** Crawlers re-fetching their own pages: each write of a page has a newer fetch and another title; a 503 is retried. */
    static final class Crawlers {

        private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f]{32})\"");

        final AtomicLong acknowledged = new AtomicLong();
        final AtomicLong refused = new AtomicLong();
        final List<String> failures = Collections.synchronizedList(new ArrayList<>());
        /** Per URL: the writes acknowledged (each a new version), the last title acknowledged, the page id. */
        final Map<String, long[]> writes = new ConcurrentHashMap<>();
        final Map<String, String> lastTitle = new ConcurrentHashMap<>();
        final Map<String, String> ids = new ConcurrentHashMap<>();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<Thread> threads = new ArrayList<>();
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final int port;

        Crawlers(int port) {
            this.port = port;
        }

        void start() {
            for (int crawler = 0; crawler < CRAWLERS; crawler++) {
                int own = crawler;
                Thread thread = new Thread(() -> crawl(own), "crawler-" + crawler);
                thread.start();
                threads.add(thread);
            }
        }

        private void crawl(int crawler) {
            for (int round = 1; running.get(); round++) {
                for (int i = 0; i < URLS_PER_CRAWLER && running.get(); i++) {
                    String url = "https://crawler-" + crawler + ".example/page-" + i;
                    String title = "round " + round;
                    Instant fetched = FIRST_FETCH.plusSeconds(round);
                    String body = "{\"url\":\"" + url + "\",\"fetched_at\":\"" + fetched + "\",\"status\":200,\"title\":\"" + title
                            + "\",\"content_type\":\"text/html\",\"body\":\"<p>" + url + " " + title + "</p>\"}";
                    if (writeUntilAcknowledged(url, body)) {
                        writes.computeIfAbsent(url, u -> new long[1])[0]++;
                        lastTitle.put(url, title);
                        acknowledged.incrementAndGet();
                    }
                }
            }
        }

        /** Posts until 202 (a 503 is retried after its Retry-After); false when stopped first. */
        private boolean writeUntilAcknowledged(String url, String body) {
            while (running.get()) {
                try {
                    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/pages"))
                            .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 202) {
                        Matcher id = ID.matcher(response.body());
                        if (id.find()) {
                            ids.put(url, id.group(1));
                        }
                        return true;
                    }
                    if (response.statusCode() == 503) {
                        refused.incrementAndGet();
                    } else {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                } catch (IOException e) {
                    failures.add(e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                LockSupport.parkNanos(Duration.ofMillis(500).toNanos());
            }
            return false;
        }

        void awaitMoreAcknowledged(long more) {
            long target = acknowledged.get() + more;
            await().atMost(Duration.ofMinutes(2)).until(() -> acknowledged.get() >= target);
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }

        /** Pages whose row is not the last acknowledged write, or whose version counts other than one per acknowledged write. */
        List<String> mismatches() throws Exception {
            List<String> mismatches = new ArrayList<>();
            try (Connection db = connections.dataSource().getConnection();
                    PreparedStatement select = db.prepareStatement("SELECT title, version FROM pages WHERE url = ?")) {
                for (Map.Entry<String, String> page : lastTitle.entrySet()) {
                    select.setString(1, page.getKey());
                    try (ResultSet row = select.executeQuery()) {
                        if (!row.next()) {
                            mismatches.add(page.getKey() + ": missing");
                        } else if (!row.getString(1).equals(page.getValue()) || row.getLong(2) != writes.get(page.getKey())[0]) {
                            mismatches.add(page.getKey() + ": " + row.getString(1) + " at version " + row.getLong(2) + ", acknowledged "
                                    + page.getValue() + " after " + writes.get(page.getKey())[0] + " write(s)");
                        }
                    }
                }
            }
            return mismatches;
        }

        void readEveryPage() throws Exception {
            for (String id : ids.values()) {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/pages/" + id)).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertThat(response.statusCode()).isEqualTo(200);
            }
        }
    }

    private static ServiceProcess service(String name, String module, Map<String, String> environment) {
        return new ServiceProcess(name, jar(module), FreePorts.pick(), environment, ServiceProcess.QUICK_START_JVM, System.out, null);
    }

    private static Path jar(String module) {
        Path jar = JARS.resolve(module).resolve("target").resolve("sluice-" + module + ".jar");
        assertThat(jar).as("%s (built earlier in the reactor)", jar).isRegularFile();
        return jar;
    }
}
