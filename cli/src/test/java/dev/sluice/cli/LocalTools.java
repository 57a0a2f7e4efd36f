package dev.sluice.cli;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The programs some tests drive (wget, python3 with Scrapy): found on the PATH, or the test says clearly why it is
 * skipped; with {@code SLUICE_REQUIRE_TOOLS} set (as .ci/run does, after installing them) a missing one fails it.
 */
public final class LocalTools {

    private LocalTools() {}

    public static Path require(String program, String debianPackage, String whatIsNotTested) {
        return find(program).orElseGet(() -> unavailable(program + " is not on the PATH", debianPackage, whatIsNotTested));
    }

    /** A python3 that can import {@code module}: Debian's first (its packages, like python3-scrapy, are for it), then the PATH's. */
    public static Path requirePython(String module, String debianPackage, String whatIsNotTested) {
        for (Path python : List.of(Path.of("/usr/bin/python3"), find("python3").orElse(Path.of("python3")))) {
            if (Files.isExecutable(python) && imports(python, module)) {
                return python;
            }
        }
        return unavailable("no python3 here imports " + module, debianPackage, whatIsNotTested);
    }

    private static boolean imports(Path python, String module) {
        try {
            Process process = new ProcessBuilder(python.toString(), "-c", "import " + module).redirectErrorStream(true).start();
            process.getInputStream().readAllBytes();
            return process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Optional<Path> find(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Path unavailable(String why, String debianPackage, String whatIsNotTested) {
        if (System.getenv("SLUICE_REQUIRE_TOOLS") != null) {
            throw new AssertionError(why + " and SLUICE_REQUIRE_TOOLS is set: apt-get install " + debianPackage);
        }
        Assumptions.abort(why + " (Debian: apt-get install " + debianPackage + "): " + whatIsNotTested + " is not tested here");
        return null;
    }
}
