package dev.sluice.infra.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps {@code docs/configuration.md} true: each module's section there is generated from its configuration
 * metadata (the {@code @ConfigurationProperties} records and their documented parameters), and a module's test
 * fails when the section differs from what the metadata says now. A setting added, removed, renamed or given another
 * default changes the section; {@code -Dsluice.docs.update=true} rewrites it.
 */
public final class DocumentedConfiguration {

    static final String UPDATE = "sluice.docs.update";

    /** {@code {@code x}} and {@code {@link x}} in a parameter's documentation, shown as code. */
    private static final java.util.regex.Pattern JAVADOC_TAG = java.util.regex.Pattern.compile("\\{@(?:code|link) ([^}]*)}");

    /** One setting: its name, the environment variable that sets it, its default, what it does. */
    record Setting(String name, String defaultValue, String description) {

        /** Spring's relaxed binding of an environment variable: dots to underscores, dashes dropped, upper case. */
        String environmentVariable() {
            return name.replace("-", "").replace('.', '_').replace("[", "_").replace("]", "").toUpperCase(Locale.ROOT);
        }

        String row() {
            return "| `%s` | `%s` | %s | %s |".formatted(name, environmentVariable(), defaultValue.isEmpty() ? "(none)" : "`" + defaultValue + "`",
                    JAVADOC_TAG.matcher(description).replaceAll("`$1`").replace("|", "\\|").replace("\n", " "));
        }
    }

    private DocumentedConfiguration() {}

    /**
     * Checks (or with {@code -Dsluice.docs.update=true} rewrites) the section of {@code module} in
     * docs/configuration.md against the metadata of the classes in {@code classesDirectory}.
     */
    public static void assertDocumented(Path classesDirectory, String module) {
        Path metadata = classesDirectory.resolve("META-INF/spring-configuration-metadata.json");
        List<Setting> settings = Files.exists(metadata) ? withLibraryDescriptions(settings(read(metadata))) : List.of();
        Path document = document();
        String text = read(document);
        String begin = "<!-- generated from the configuration metadata of " + module + " -->\n";
        String end = "<!-- end of " + module + " -->";
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        assertThat(from).as("docs/configuration.md has a section for %s (%s…%s)", module, begin.strip(), end).isNotNegative();
        assertThat(to).isGreaterThan(from);
        String expected = section(settings);
        String actual = text.substring(from + begin.length(), to);
        if (!actual.equals(expected) && Boolean.getBoolean(UPDATE)) {
            write(document, text.substring(0, from + begin.length()) + expected + text.substring(to));
            return;
        }
        assertThat(actual).as("docs/configuration.md's section for %s is generated from the configuration metadata; after changing a "
                + "setting, run this test with -D%s=true to rewrite it", module, UPDATE).isEqualTo(expected);
    }

    /**
     * A setting whose type comes from a library (the backup worker's {@code sluice.backup.s3.*}, say) has no
     * description in the module's metadata, the library's sources not being compiled with it: it takes the one the
     * library's own metadata gives.
     */
    static List<Setting> withLibraryDescriptions(List<Setting> settings) {
        Map<String, String> described = new HashMap<>();
        try {
            for (URL library : Collections.list(DocumentedConfiguration.class.getClassLoader().getResources("META-INF/spring-configuration-metadata.json"))) {
                try (InputStream in = library.openStream()) {
                    settings(new String(in.readAllBytes(), StandardCharsets.UTF_8)).stream().filter(setting -> !setting.description().isBlank())
                            .forEach(setting -> described.putIfAbsent(setting.name(), setting.description()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return settings.stream().map(setting -> setting.description().isBlank() && described.containsKey(setting.name())
                ? new Setting(setting.name(), setting.defaultValue(), described.get(setting.name())) : setting).toList();
    }

    static String section(List<Setting> settings) {
        if (settings.isEmpty()) {
            return "This module declares no settings of its own.\n";
        }
        StringBuilder table = new StringBuilder("| Setting | Environment variable | Default | What it does |\n|---|---|---|---|\n");
        settings.forEach(setting -> table.append(setting.row()).append('\n'));
        return table.toString();
    }

    static List<Setting> settings(String json) {
        List<Setting> settings = new ArrayList<>();
        for (JsonNode property : JsonMapper.shared().readTree(json).path("properties")) {
            String name = property.path("name").asString();
            if (name.startsWith("sluice.")) {
                JsonNode defaultValue = property.get("defaultValue");
                String value = defaultValue == null || defaultValue.isNull() ? "" : defaultValue.isArray() ? join(defaultValue) : defaultValue.asString();
                settings.add(new Setting(name, value,
                        property.path("description").asString("")));
            }
        }
        settings.sort(Comparator.comparing(Setting::name));
        return settings;
    }

    private static String join(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asString()));
        return String.join(",", values);
    }

    private static Path document() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("docs/configuration.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the checkout's root, with docs/configuration.md").isNotNull();
        return dir.resolve("docs/configuration.md");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path path, String text) {
        try {
            Files.writeString(path, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
