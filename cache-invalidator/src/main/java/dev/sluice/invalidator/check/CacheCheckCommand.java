package dev.sluice.invalidator.check;

import dev.sluice.core.cache.RedisKeys;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice cache check}: counts cached page entries that disagree with PostgreSQL. Exit status 0 when none,
 * 1 when some (the first few are listed), 2 on a usage error. Connections from {@code SLUICE_PG_URL},
 * {@code SLUICE_PG_USER}, {@code SLUICE_PG_PASSWORD}, {@code SLUICE_REDIS_URL}, {@code SLUICE_REDIS_KEYPREFIX}.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Compare cached page entries with PostgreSQL and print how many are stale (exit 1 if any).")
public final class CacheCheckCommand implements Callable<Integer> {

    @Option(names = "--sample", defaultValue = "0", description = "Check at most this many entries (default: all).")
    long sample;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final Map<String, String> environment;

    CacheCheckCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new CacheCheckCommand(System.getenv())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        String url = environment.getOrDefault("SLUICE_PG_URL", "postgresql://localhost:5432/sluice");
        RedisKeys keys = new RedisKeys(environment.getOrDefault("SLUICE_REDIS_KEYPREFIX", RedisKeys.DEFAULT_PREFIX));
        RedisClient client = RedisClient.create(environment.getOrDefault("SLUICE_REDIS_URL", "redis://localhost:6379"));
        try (StatefulRedisConnection<String, String> redis = client.connect();
                Connection db = DriverManager.getConnection("jdbc:" + url, environment.getOrDefault("SLUICE_PG_USER", "sluice"),
                        environment.getOrDefault("SLUICE_PG_PASSWORD", ""))) {
            long started = System.nanoTime();
            ConsistencyChecker.Result result = new ConsistencyChecker(redis.sync(), keys).check(db, sample, checked -> {
                if (checked % 10_000 < 500) {
                    out.printf("  %,d entries checked%n", checked);
                    out.flush();
                }
            });
            out.printf("Checked %,d cached page entries in %.1f s: %,d stale%n", result.checked(), (System.nanoTime() - started) / 1e9,
                    result.stale());
            result.staleIds().forEach(id -> out.println("  stale: " + id));
            return result.stale() == 0 ? 0 : 1;
        } finally {
            client.shutdown();
        }
    }
}
