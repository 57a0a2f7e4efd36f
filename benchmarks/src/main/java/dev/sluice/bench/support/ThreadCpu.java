package dev.sluice.bench.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A process's CPU time by group of threads (Linux's {@code /proc/<pid>/task}, by thread name), so a benchmark can tell a
 * service's work from its JVM's: on these starved 2-core machines the JIT compiler can take a third of a service's CPU
 * for minutes after it starts. Threads that ended are not counted; empty where {@code /proc} does not exist.
 *
 * @param cpu CPU time by group, in the order the groups were named, then {@code other}
 */
public record ThreadCpu(Map<String, Duration> cpu) {

    /** The kernel's clock ticks per second for {@code /proc} times (USER_HZ: 100 on Linux everywhere). */
    private static final long TICKS_PER_SECOND = 100;

    /** The usual groups of a JVM service: the JIT compiler and the garbage collector. */
    public static final Map<String, Pattern> JVM = jvm();

    private static Map<String, Pattern> jvm() {
        Map<String, Pattern> groups = new LinkedHashMap<>();
        groups.put("JIT", Pattern.compile("C[12] CompilerThre.*"));
        groups.put("GC", Pattern.compile("GC Thread.*|G1 .*"));
        return groups;
    }

    public static ThreadCpu of(long pid, Map<String, Pattern> groups) {
        Map<String, Duration> cpu = new LinkedHashMap<>();
        groups.keySet().forEach(group -> cpu.put(group, Duration.ZERO));
        cpu.put("other", Duration.ZERO);
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        if (!Files.isDirectory(tasks)) {
            return new ThreadCpu(Map.of());
        }
        try (Stream<Path> threads = Files.list(tasks)) {
            threads.forEach(thread -> {
                try {
                    String name = Files.readString(thread.resolve("comm")).strip();
                    String stat = Files.readString(thread.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    Duration used = Duration.ofMillis((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 1000 / TICKS_PER_SECOND);
                    String group = groups.entrySet().stream().filter(g -> g.getValue().matcher(name).matches())
                            .map(Map.Entry::getKey).findFirst().orElse("other");
                    cpu.merge(group, used, Duration::plus);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            return new ThreadCpu(Map.of());
        }
        return new ThreadCpu(cpu);
    }

    /** CPU used by each group since {@code earlier}. */
    public Map<String, Duration> since(ThreadCpu earlier) {
        Map<String, Duration> used = new LinkedHashMap<>();
        cpu.forEach((group, total) -> used.put(group, total.minus(earlier.cpu.getOrDefault(group, Duration.ZERO))));
        return used;
    }

    /** "JIT 31 %, GC 12 %, other 57 %" of the CPU used since {@code earlier}. */
    public String sharesSince(ThreadCpu earlier) {
        long total = 0;
        Map<String, Long> used = new LinkedHashMap<>();
        for (Map.Entry<String, Duration> group : cpu.entrySet()) {
            long nanos = group.getValue().minus(earlier.cpu.getOrDefault(group.getKey(), Duration.ZERO)).toNanos();
            used.put(group.getKey(), nanos);
            total += nanos;
        }
        if (total <= 0) {
            return "unknown";
        }
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, Long> group : used.entrySet()) {
            text.append(text.isEmpty() ? "" : ", ").append(String.format("%s %.0f %%", group.getKey(), group.getValue() * 100.0 / total));
        }
        return text.toString();
    }
}
