package dev.sluice.bench.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The CPU time each part of a benchmark's machine has used so far (the OS's accounting, children included), so a
 * run can say where the cores went and what one change cost a service: on a shared 2-core machine a stage that
 * falls behind is either slow or starved, and only these figures tell which.
 *
 * @param cpu CPU time by part, in the order the parts were named
 */
public record CpuUsage(Map<String, Duration> cpu) {

    /** The parts of a run, each some processes looked up anew at every reading (only live processes count). */
    public static final class Parts {
        private final Map<String, Supplier<Stream<ProcessHandle>>> parts = new LinkedHashMap<>();

        public Parts process(String name, long pid) {
            parts.put(name, () -> ProcessHandle.of(pid).stream());
            return this;
        }

        /** This JVM alone, not the services it started (the load generator and the in-process Kafka broker). */
        public Parts self(String name) {
            parts.put(name, () -> Stream.of(ProcessHandle.current()));
            return this;
        }

        /**
         * The processes whose command line names {@code command} and mentions {@code mention} (a data directory, a
         * port), with their descendants (PostgreSQL's backends and walsenders are children of its postmaster). By
         * command line, not executable: Debian's redis-server is a link to redis-check-rdb, and retitles itself.
         */
        public Parts command(String name, String command, String mention) {
            parts.put(name, () -> ProcessHandle.allProcesses()
                    .filter(process -> !process.info().command().orElse("").endsWith("/java"))
                    .filter(process -> {
                        String line = commandLine(process);
                        return line.contains(command) && line.contains(mention);
                    })
                    .flatMap(process -> Stream.concat(Stream.of(process), process.descendants())));
            return this;
        }

        /** As {@code /proc} has it (the JDK gives up on a command line a process rewrote, as Redis does). */
        private static String commandLine(ProcessHandle process) {
            try {
                return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")), StandardCharsets.UTF_8)
                        .replace('\0', ' ');
            } catch (IOException | RuntimeException e) {
                return process.info().commandLine().orElse("");
            }
        }

        public CpuUsage read() {
            Map<String, Duration> cpu = new LinkedHashMap<>();
            parts.forEach((name, processes) -> cpu.put(name, processes.get()
                    .map(process -> process.info().totalCpuDuration().orElse(Duration.ZERO))
                    .reduce(Duration.ZERO, Duration::plus)));
            return new CpuUsage(cpu);
        }
    }

    /** CPU used between {@code earlier} and this reading, by part. */
    public Map<String, Duration> since(CpuUsage earlier) {
        Map<String, Duration> used = new LinkedHashMap<>();
        cpu.forEach((name, total) -> used.put(name, total.minus(earlier.cpu.getOrDefault(name, Duration.ZERO))));
        return used;
    }

    /** "api 0.61, worker 0.32, …" cores used on average over {@code elapsed}, and the total. */
    public String coresSince(CpuUsage earlier, Duration elapsed) {
        StringBuilder text = new StringBuilder();
        double total = 0;
        for (Map.Entry<String, Duration> part : since(earlier).entrySet()) {
            double cores = part.getValue().toNanos() / (double) elapsed.toNanos();
            total += cores;
            text.append(String.format("%s %.2f, ", part.getKey(), cores));
        }
        return text.append(String.format("total %.2f of %d cores", total, Runtime.getRuntime().availableProcessors())).toString();
    }
}
