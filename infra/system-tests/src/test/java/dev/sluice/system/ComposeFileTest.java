package dev.sluice.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * infra/compose/docker-compose.yml, read as compose reads it (anchors and merges resolved): the invariants a team
 * that runs it relies on. (No Docker engine here reaches an image registry, so the file is checked, not started.)
 */
class ComposeFileTest {

    static final Path ROOT = Path.of("..", "..");
    static final Path COMPOSE = ROOT.resolve("infra/compose/docker-compose.yml");
    static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?])?([^}]*)}");
    static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|CREDENTIAL).*");

    private final String text = read(COMPOSE);
    private final Map<String, Map<String, Object>> services = services();

    @Test
    void everyImageIsPinnedToAVersion() {
        assertThat(services).allSatisfy((name, service) -> {
            if (service.containsKey("image")) {
                assertThat((String) service.get("image")).as(name).matches("[^:]+:[^:]+").doesNotEndWith(":latest");
            } else {
                assertThat(service).as("%s is built from this checkout", name).containsKey("build");
            }
        });
        assertThat(read(ROOT.resolve("infra/compose/Dockerfile")).lines().filter(line -> line.startsWith("FROM ")))
                .allSatisfy(from -> assertThat(from).matches("FROM [^:]+:\\d[^ ]* ?.*").doesNotContain(":latest"));
    }

    @Test
    void everyPublishedPortListensOnTheBindAddressLocalhostByDefault() {
        List<String> ports = new ArrayList<>();
        services.values().forEach(service -> ports.addAll(list(service.get("ports"))));
        assertThat(ports).isNotEmpty().allSatisfy(port -> assertThat(port).startsWith("${SLUICE_BIND_ADDRESS:-127.0.0.1}:"));
    }

    @Test
    void everyLongRunningServiceHasAHealthCheckAndWaitsForHealthyDependencies() {
        boolean imageChecksItself = read(ROOT.resolve("infra/compose/Dockerfile")).contains("HEALTHCHECK");
        services.forEach((name, service) -> {
            boolean oneShot = name.equals("s3-bucket") || list(service.get("profiles")).contains("tools");
            if (!oneShot) {
                assertThat(service.containsKey("healthcheck") || (service.containsKey("build") && imageChecksItself))
                        .as("%s has a health check", name).isTrue();
            }
            Object dependsOn = service.get("depends_on");
            if (dependsOn != null) {
                assertThat(dependsOn).as("%s waits for conditions, not just a start", name).isInstanceOf(Map.class);
                ((Map<?, ?>) dependsOn).forEach((dependency, condition) -> assertThat(((Map<?, ?>) condition).get("condition"))
                        .as("%s -> %s", name, dependency).isIn("service_healthy", "service_completed_successfully"));
            }
        });
    }

    @Test
    void secretsComeFromTheEnvFileWithNoDefaultAndTheTemplateNamesEveryOne() {
        Set<String> required = new TreeSet<>();
        Matcher variable = VARIABLE.matcher(text);
        while (variable.find()) {
            if (SECRET.matcher(variable.group(1)).matches()) {
                assertThat(variable.group(2)).as("%s has no default: it must be set", variable.group(1)).isEqualTo(":?");
            }
            if (":?".equals(variable.group(2))) {
                required.add(variable.group(1));
            }
        }
        assertThat(required).contains("SLUICE_PG_PASSWORD", "SLUICE_REDIS_PASSWORD", "SLUICE_TOKENS_SECRETS");
        String template = read(ROOT.resolve("infra/compose/.env.example"));
        assertThat(required).allSatisfy(name -> assertThat(template).containsPattern("(?m)^" + name + "="));
        assertThat(read(ROOT.resolve(".gitignore")).lines()).as("the real .env is never committed").contains("infra/compose/.env");
        services.forEach((name, service) -> environment(service).forEach((key, value) -> {
            if (SECRET.matcher(key).matches() && !key.endsWith("_AUTH")) {
                assertThat(String.valueOf(value)).as("%s %s comes from the env file", name, key).contains("${");
            }
        }));
    }

    @Test
    void redisNeverEvictsAFenceOrAPosition() {
        assertThat(String.join(" ", list(services.get("redis").get("command")))).contains("--maxmemory-policy noeviction")
                .contains("--requirepass");
    }

    @Test
    void everySluiceVariableIsADocumentedSetting() {
        String documented = read(ROOT.resolve("docs/configuration.md")) + read(ROOT.resolve("docs/cli.md"));
        Set<String> variables = new TreeSet<>();
        services.values().forEach(service -> environment(service).keySet().stream().filter(key -> key.startsWith("SLUICE_")).forEach(variables::add));
        assertThat(variables).isNotEmpty().allSatisfy(name -> assertThat(documented).as("%s is documented (a misspelt variable binds nothing)", name)
                .contains("`" + name + "`"));
    }

    @Test
    void theCommandLineIsThereToCreateTheFirstKey() {
        assertThat(services.get("sluice")).containsKey("build");
        assertThat(text).contains("docker compose -f infra/compose/docker-compose.yml run --rm sluice keys create");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Map<String, Object>> services() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Map<String, Object> compose = new Yaml(options).load(text);
        return (Map<String, Map<String, Object>>) compose.get("services");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(Map<String, Object> service) {
        Object environment = service.get("environment");
        return environment instanceof Map ? (Map<String, Object>) environment : new LinkedHashMap<>();
    }

    private static List<String> list(Object value) {
        List<String> values = new ArrayList<>();
        if (value instanceof List<?> items) {
            items.forEach(item -> values.add(String.valueOf(item)));
        }
        return values;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
