package dev.sluice.system;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.topic.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * infra/kubernetes, checked against the code: probes on the paths and ports the services serve, every variable a
 * documented setting, credentials only from the Secret, a disruption budget per workload, and an autoscaler that
 * never adds a worker no partition is left for.
 */
class KubernetesManifestsTest {

    static final Path ROOT = Path.of("..", "..");
    static final Path BASE = ROOT.resolve("infra/kubernetes/base");
    static final Pattern SECRET = Pattern.compile(".*(PASSWORD|SECRET|SECRETS|SECRETKEY|ACCESSKEY|REDIS_URL).*");

    private final List<Map<String, Object>> resources = load();
    private final String documented = read(ROOT.resolve("docs/configuration.md")) + read(ROOT.resolve("docs/cli.md"));

    @Test
    void everyServiceIsDeployedWithProbesOnItsOwnManagementPort() {
        Set<String> deployed = new TreeSet<>();
        for (Map<String, Object> deployment : ofKind("Deployment")) {
            String name = name(deployment);
            deployed.add(name);
            Map<String, Object> application = new Yaml().load(read(ROOT.resolve(name).resolve("src/main/resources/application.yml")));
            int managementPort = managementPort(application);
            assertThat(read(ROOT.resolve(name).resolve("src/main/resources/application.yml"))).as("%s defines a readiness group", name)
                    .contains("readiness:");
            for (Map<String, Object> container : containers(deployment)) {
                assertThat(list(container.get("ports"))).as("%s exposes its management port as 'management'", name)
                        .anySatisfy(port -> assertThat(port).containsEntry("name", "management").containsEntry("containerPort", managementPort));
                assertThat(path(container, "readinessProbe")).isEqualTo("/actuator/health/readiness");
                assertThat(path(container, "livenessProbe")).isEqualTo("/actuator/health/liveness");
                assertThat(map(map(container.get("readinessProbe")).get("httpGet")).get("port")).isEqualTo("management");
                Map<String, Object> resources = map(container.get("resources"));
                assertThat(map(resources.get("requests"))).as(name).containsKeys("cpu", "memory");
                assertThat(map(resources.get("limits"))).as(name).containsKey("memory");
                assertThat((String) container.get("image")).as(name).matches("[^:]+:\\d[^:]*");
                assertThat(map(container.get("securityContext"))).containsEntry("readOnlyRootFilesystem", true);
            }
            assertThat(map(spec(template(deployment)).get("securityContext"))).as(name).containsEntry("runAsNonRoot", true);
        }
        assertThat(read(ROOT.resolve("platform/src/main/resources/sluice-platform-defaults.properties")))
                .as("the liveness and readiness groups are on").contains("management.endpoint.health.probes.enabled=true");
        assertThat(deployed).containsExactlyInAnyOrder("api-service", "ingest-worker", "cache-invalidator", "backup-worker");
    }

    @Test
    void everyWorkloadHasADisruptionBudgetAndTheInvalidatorAStandby() {
        Set<String> budgets = new TreeSet<>();
        ofKind("PodDisruptionBudget").forEach(budget -> budgets.add(String.valueOf(map(map(map(budget.get("spec")).get("selector"))
                .get("matchLabels")).get("app.kubernetes.io/name"))));
        ofKind("Deployment").forEach(deployment -> assertThat(budgets).contains(name(deployment)));
        assertThat(deployment("cache-invalidator").get("replicas")).as("one reads the slot, one stands by").isEqualTo(2);
    }

    @Test
    void everyVariableIsADocumentedSettingAndCredentialsComeOnlyFromTheSecret() {
        Set<String> variables = new TreeSet<>();
        ofKind("ConfigMap").forEach(map -> variables.addAll(map(map.get("data")).keySet()));
        for (Map<String, Object> deployment : ofKind("Deployment")) {
            for (Map<String, Object> container : containers(deployment)) {
                for (Map<String, Object> variable : list(container.get("env"))) {
                    String name = (String) variable.get("name");
                    variables.add(name);
                    if (SECRET.matcher(name).matches()) {
                        assertThat(variable).as("%s in %s", name, name(deployment)).doesNotContainKey("value");
                        assertThat(map(map(variable.get("valueFrom")).get("secretKeyRef"))).containsEntry("name", "sluice-credentials")
                                .containsEntry("key", name);
                    }
                }
            }
        }
        Map<String, Object> example = new Yaml().load(read(BASE.resolve("secret.example.yaml")));
        variables.addAll(map(example.get("stringData")).keySet());
        variables.removeIf(name -> !name.startsWith("SLUICE_")); // KEDA's own keys in the Secret are KEDA's
        assertThat(variables).isNotEmpty().allSatisfy(name -> assertThat(documented).as("%s is documented (a misspelt variable binds nothing)", name)
                .contains("`" + name + "`"));
        ofKind("ConfigMap").forEach(map -> assertThat(map(map.get("data")).keySet()).noneMatch(key -> SECRET.matcher(key).matches()));
    }

    @Test
    void theAutoscalerWatchesTheIngestGroupAndNeverOutgrowsThePartitions() {
        Map<String, Object> scaler = ofKind("ScaledObject").get(0);
        Map<String, Object> spec = map(scaler.get("spec"));
        Map<String, Object> trigger = map(list(spec.get("triggers")).get(0).get("metadata"));
        assertThat(trigger.get("topic")).isEqualTo(Topics.PAGES);
        assertThat(trigger.get("consumerGroup")).isEqualTo(documentedDefault("sluice.ingest.group-id"));
        int partitions = Integer.parseInt(documentedDefault("sluice.topics.pages.partitions"));
        int concurrency = containers(deployment("ingest-worker")).stream().flatMap(container -> list(container.get("env")).stream())
                .filter(variable -> "SLUICE_INGEST_CONCURRENCY".equals(variable.get("name"))).map(variable -> Integer.parseInt((String) variable.get("value")))
                .findFirst().orElse(Integer.parseInt(documentedDefault("sluice.ingest.concurrency")));
        assertThat((Integer) spec.get("maxReplicaCount") * concurrency).as("workers x consumers each <= partitions of %s", Topics.PAGES)
                .isLessThanOrEqualTo(partitions);
    }

    static final String DASHBOARDS = "../../compose/grafana/dashboards";

    @Test
    void theKustomizationListsEveryManifestButTheSecretExample() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(read(BASE.resolve("kustomization.yaml")));
        Set<String> files = new TreeSet<>();
        try (Stream<Path> listed = Files.list(BASE)) {
            listed.map(path -> path.getFileName().toString()).filter(file -> !file.equals("kustomization.yaml") && !file.equals("secret.example.yaml"))
                    .forEach(files::add);
        }
        files.add(DASHBOARDS);
        assertThat(new TreeSet<>(strings(kustomization.get("resources")))).isEqualTo(files);
    }

    /** The dashboards compose provisions, every one, in the ConfigMap Grafana's sidecar loads. */
    @Test
    void everyDashboardIsShippedForGrafanaInKubernetes() throws IOException {
        Map<String, Object> kustomization = new Yaml().load(read(BASE.resolve(DASHBOARDS).resolve("kustomization.yaml")));
        Map<String, Object> generator = list(kustomization.get("configMapGenerator")).get(0);
        Set<String> dashboards = new TreeSet<>();
        try (Stream<Path> listed = Files.list(BASE.resolve(DASHBOARDS))) {
            listed.map(path -> path.getFileName().toString()).filter(file -> file.endsWith(".json")).forEach(dashboards::add);
        }
        assertThat(dashboards).isNotEmpty();
        assertThat(new TreeSet<>(strings(generator.get("files")))).isEqualTo(dashboards);
        assertThat(map(map(generator.get("options")).get("labels"))).containsEntry("grafana_dashboard", "1");
    }

    private String documentedDefault(String setting) {
        Matcher row = Pattern.compile("\\| `" + Pattern.quote(setting) + "` \\| `[A-Z_]+` \\| `([^`]*)` \\|").matcher(documented);
        assertThat(row.find()).as("%s in docs/configuration.md", setting).isTrue();
        return row.group(1);
    }

    private static int managementPort(Map<String, Object> application) {
        Object management = map(map(application.get("management")).get("server")).get("port");
        return (Integer) (management != null ? management : map(application.get("server")).get("port"));
    }

    private Map<String, Object> deployment(String name) {
        return map(ofKind("Deployment").stream().filter(deployment -> name(deployment).equals(name)).findFirst().orElseThrow().get("spec"));
    }

    private List<Map<String, Object>> ofKind(String kind) {
        return resources.stream().filter(resource -> kind.equals(resource.get("kind"))).toList();
    }

    private static String name(Map<String, Object> resource) {
        return (String) map(resource.get("metadata")).get("name");
    }

    private static Map<String, Object> template(Map<String, Object> deployment) {
        return map(map(deployment.get("spec")).get("template"));
    }

    private static Map<String, Object> spec(Map<String, Object> template) {
        return map(template.get("spec"));
    }

    private static List<Map<String, Object>> containers(Map<String, Object> deployment) {
        return list(spec(template(deployment)).get("containers"));
    }

    private static String path(Map<String, Object> container, String probe) {
        return (String) map(map(container.get(probe)).get("httpGet")).get("path");
    }

    private static List<Map<String, Object>> load() {
        List<Map<String, Object>> resources = new ArrayList<>();
        try (Stream<Path> files = Files.list(BASE)) {
            for (Path file : files.filter(path -> !path.getFileName().toString().equals("kustomization.yaml")).toList()) {
                for (Object document : new Yaml().loadAll(read(file))) {
                    if (document != null) {
                        resources.add(map(document));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return resources;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return value instanceof List ? (List<Map<String, Object>>) value : List.of();
    }

    private static List<String> strings(Object value) {
        return value instanceof List<?> items ? items.stream().map(String::valueOf).toList() : List.of();
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
