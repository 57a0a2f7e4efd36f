package dev.sluice.infra.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Keeps the README's configuration tables true: every {@code sluice.*} setting in a module's configuration
 * metadata (generated from the {@code @ConfigurationProperties} records) must have a row in README.md with the
 * same default. A setting added without documentation, or a default changed on one side only, fails the build.
 */
public final class DocumentedConfiguration {

    /** {@code | `sluice.x.y` | `default` | description |} */
    private static final Pattern ROW = Pattern.compile("^\\|\\s*`(sluice\\.[a-z0-9.\\-\\[\\]]+)`\\s*\\|\\s*([^|]*?)\\s*\\|", Pattern.MULTILINE);

    private DocumentedConfiguration() {}

    /** Checks the metadata of the module whose classes are in {@code classesDirectory}. */
    public static void assertDocumented(Path classesDirectory) {
        Path metadata = classesDirectory.resolve("META-INF/spring-configuration-metadata.json");
        if (!Files.exists(metadata)) {
            return; // the module declares no settings (yet): the processor writes no file
        }
        Map<String, String> documented = documentedDefaults();
        SoftAssertions softly = new SoftAssertions();
        settings(read(metadata)).forEach((name, defaultValue) -> {
            softly.assertThat(documented).as("README.md documents %s", name).containsKey(name);
            if (documented.containsKey(name)) {
                softly.assertThat(documented.get(name)).as("README.md's default for %s", name).isEqualTo(defaultValue);
            }
        });
        softly.assertAll();
    }

    static Map<String, String> settings(String json) {
        Map<String, String> settings = new HashMap<>();
        for (JsonNode property : JsonMapper.shared().readTree(json).path("properties")) {
            String name = property.path("name").asString();
            if (name.startsWith("sluice.")) {
                settings.put(name, display(property.get("defaultValue")));
            }
        }
        return settings;
    }

    /** How the README shows a default: in backquotes, {@code (none)} when empty or absent. */
    private static String display(JsonNode defaultValue) {
        String value = defaultValue == null || defaultValue.isNull() ? "" : defaultValue.asString();
        return value.isEmpty() ? "(none)" : "`" + value + "`";
    }

    private static Map<String, String> documentedDefaults() {
        Matcher row = ROW.matcher(read(readme()));
        Map<String, String> documented = new HashMap<>();
        while (row.find()) {
            documented.put(row.group(1), row.group(2).trim());
        }
        return Collections.unmodifiableMap(documented);
    }

    private static Path readme() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !(Files.exists(dir.resolve("README.md")) && Files.exists(dir.resolve("mvnw")))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the checkout's root, with README.md").isNotNull();
        return dir.resolve("README.md");
    }

    private static String read(Path path) {
        try {
            return Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
