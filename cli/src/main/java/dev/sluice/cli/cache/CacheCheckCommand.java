package dev.sluice.cli.cache;

import dev.sluice.cli.support.CliEnvironment;
import dev.sluice.store.cache.ConsistencyChecker;
import dev.sluice.store.cache.RedisClients;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintWriter;
import java.sql.Connection;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * {@code sluice cache check}: counts cached page entries that disagree with PostgreSQL. Exit status 0 when none,
 * 1 when some (the first few are listed), 2 on a usage error.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Compare cached page entries with PostgreSQL and print how many are stale (exit 1 if any).")
public final class CacheCheckCommand implements Callable<Integer> {

    @Option(names = "--sample", defaultValue = "0", description = "Check at most this many entries (default: all).")
    long sample;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private final CliEnvironment environment;

    CacheCheckCommand(CliEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        RedisClient client = RedisClients.create(environment.redisUrl(), environment.variables().get("SLUICE_REDIS_TRUSTSTORE"));
        try (StatefulRedisConnection<String, String> redis = client.connect(); Connection db = environment.connect()) {
            long started = System.nanoTime();
            ConsistencyChecker.Result result = new ConsistencyChecker(redis.sync(), environment.redisKeys()).check(db, sample, checked -> {
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
