package dev.sluice.cli.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The alert rules shipped for Prometheus (infra/compose/prometheus/alerts.yml) are valid and fire exactly as
 * alerts.test.yml says, by Prometheus's own {@code promtool test rules}. Without promtool on the PATH the test says
 * so and is skipped, unless {@code SLUICE_REQUIRE_TOOLS} is set (as .ci/run does, after installing Debian's
 * {@code prometheus} package): then a missing promtool fails it.
 */
class AlertRulesTest {

    static final Path RULES = Path.of("..", "infra", "compose", "prometheus");

    @Test
    void everyAlertFiresOnWhatShouldFireItAndOnNothingElse() throws Exception {
        boolean present = onPath("promtool");
        if (!present && System.getenv("SLUICE_REQUIRE_TOOLS") != null) {
            throw new AssertionError("promtool is required (SLUICE_REQUIRE_TOOLS is set) but not on the PATH: apt-get install prometheus");
        }
        Assumptions.assumeTrue(present, "promtool is not on the PATH (Debian: apt-get install prometheus): the alert rules are not tested here");

        assertThat(run("promtool", "check", "rules", "alerts.yml")).contains("SUCCESS");
        assertThat(run("promtool", "test", "rules", "alerts.test.yml")).contains("SUCCESS").doesNotContain("FAILED");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + out).isZero();
        return out;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
