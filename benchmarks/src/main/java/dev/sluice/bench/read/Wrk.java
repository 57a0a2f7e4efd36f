package dev.sluice.bench.read;

import dev.sluice.bench.support.Measurement;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * wrk (Debian's package {@code wrk}) as the closed-loop load: written in C, it costs the machine's two cores far
 * less than a JVM client, so the server, not the client, is what the figures measure. Requests come from
 * {@code wrk.lua}: a GET of a random id under a path prefix, or every n-th request a POST of the next prepared body.
 */
final class Wrk {

    private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s+([\\d.]+)");
    private static final Pattern TRANSFER = Pattern.compile("Transfer/sec:\\s+([\\d.]+)(B|KB|MB|GB)");
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern STATUS = Pattern.compile("^status (\\d+): (\\d+)$", Pattern.MULTILINE);
    private static final Pattern SOCKET_ERRORS = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final Path script;

    private Wrk(Path script) {
        this.script = script;
    }

    /** wrk if it is on the PATH (with its script written to {@code directory}), else null. */
    static Wrk find(Path directory) throws IOException {
        try {
            Process probe = new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start();
            probe.getInputStream().readAllBytes();
            probe.waitFor();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        Path script = directory.resolve("wrk.lua");
        try (InputStream lua = Wrk.class.getResourceAsStream("wrk.lua")) {
            Files.write(script, lua.readAllBytes());
        }
        return new Wrk(script);
    }

    /** What one wrk run sends. {@code bodies} (one JSON page per line) and {@code apiKey} only when {@code postEvery > 0}. */
    record Load(Path ids, String pathPrefix, boolean eachIdOnce, int postEvery, Path bodies, String apiKey, double pauseMillis) {
        /** GETs of random ids. */
        static Load gets(Path ids, String pathPrefix) {
            return new Load(ids, pathPrefix, false, 0, null, null, 0);
        }

        /** GETs of each id at most once (as long as there are more ids than requests). */
        static Load eachOnce(Path ids, String pathPrefix) {
            return new Load(ids, pathPrefix, true, 0, null, null, 0);
        }

        /** The same GETs, each connection pausing between its requests: about {@code perSecond} in all. */
        Load paced(int connections, int perSecond) {
            return new Load(ids, pathPrefix, eachIdOnce, postEvery, bodies, apiKey, connections * 1000.0 / perSecond);
        }
    }

    /** A warm-up run, then {@code beforeMeasuring}, then the measured run. */
    Measurement.Result warmThenRun(String name, int port, int connections, Duration warmup, Duration duration, Load load, Runnable beforeMeasuring) {
        run(name + " (warm-up)", port, connections, warmup, load);
        beforeMeasuring.run();
        return run(name, port, connections, duration, load);
    }

    Measurement.Result run(String name, int port, int connections, Duration duration, Load load) {
        try {
            return runOrFail(name, port, connections, duration, load);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Measurement.Result runOrFail(String name, int port, int connections, Duration duration, Load load) throws IOException, InterruptedException {
        ProcessBuilder command = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + duration.toSeconds() + "s", "--latency",
                "--timeout", HttpLoad.RESPONSE_TIMEOUT.toSeconds() + "s", "-s", script.toString(), "http://127.0.0.1:" + port)
                .redirectErrorStream(true);
        Map<String, String> environment = command.environment();
        environment.put("SLUICE_BENCH_IDS", load.ids().toString());
        environment.put("SLUICE_BENCH_PREFIX", load.pathPrefix());
        environment.put("SLUICE_BENCH_ORDER", load.eachIdOnce() ? "sequential" : "random");
        environment.put("SLUICE_BENCH_POST_EVERY", Integer.toString(load.postEvery()));
        environment.put("SLUICE_BENCH_BODIES", load.bodies() == null ? "" : load.bodies().toString());
        environment.put("SLUICE_BENCH_DELAY_MS", Double.toString(load.pauseMillis()));
        environment.put("SLUICE_BENCH_KEY", load.apiKey() == null ? "" : load.apiKey());
        Process wrk = command.start();
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (wrk.waitFor() != 0) {
            throw new IllegalStateException("wrk failed:\n" + output);
        }
        Matcher status = STATUS.matcher(output);
        StringBuilder statuses = new StringBuilder();
        while (status.find()) {
            statuses.append(statuses.isEmpty() ? "" : ", ").append(status.group(1)).append(": ").append(status.group(2));
        }
        System.out.println("  " + name + ": answers by status: " + statuses);
        return parse(name, output, duration);
    }

    static Measurement.Result parse(String name, String output, Duration duration) {
        double perSecond = Double.parseDouble(find(REQUESTS, output).group(1));
        Matcher transfer = find(TRANSFER, output);
        double mib = Double.parseDouble(transfer.group(1)) * switch (transfer.group(2)) {
            case "GB" -> 1024;
            case "MB" -> 1;
            case "KB" -> 1.0 / 1024;
            default -> 1.0 / (1 << 20);
        };
        long failures = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            failures += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                failures += Long.parseLong(socket.group(group));
            }
        }
        return new Measurement.Result(name, perSecond, mib, percentile(output, "50%"), percentile(output, "99%"), failures, duration);
    }

    /** A line of wrk's latency distribution, such as {@code "     99%   12.34ms"}, in milliseconds. */
    private static double percentile(String output, String percentile) {
        Matcher line = find(Pattern.compile("^\\s+" + Pattern.quote(percentile) + "\\s+([\\d.]+)(us|ms|s)\\s*$", Pattern.MULTILINE), output);
        double value = Double.parseDouble(line.group(1));
        return switch (line.group(2)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }

    private static Matcher find(Pattern pattern, String output) {
        Matcher matcher = pattern.matcher(output);
        if (!matcher.find()) {
            throw new IllegalStateException("unexpected wrk output (no " + pattern + "):\n" + output);
        }
        return matcher;
    }

    static void writeLines(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.UTF_8);
    }
}
