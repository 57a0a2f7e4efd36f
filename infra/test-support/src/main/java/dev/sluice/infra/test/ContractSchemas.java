package dev.sluice.infra.test;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The JSON Schemas the project publishes in {@code docs/schemas/} (the page, the {@code pages.v1} envelope, the
 * {@code cdc.pages} event), loaded from the checkout so tests hold them to real documents: a schema that drifts
 * from what the code writes or accepts fails a test.
 */
public final class ContractSchemas {

    public static final String BASE = "https://sluice.dev/schemas/";
    public static final String OPEN_API = "https://sluice.dev/openapi.yaml";

    private final SchemaRegistry registry;

    private ContractSchemas(SchemaRegistry registry) {
        this.registry = registry;
    }

    /** Every {@code *.schema.json} of docs/schemas, known by its {@code $id}, and docs/openapi.yaml. */
    public static ContractSchemas load() {
        Map<String, String> schemas = new HashMap<>();
        schemas.put(OPEN_API, openApi().toString());
        try (Stream<Path> files = Files.list(folder())) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".schema.json")).toList()) {
                schemas.put(BASE + file.getFileName(), Files.readString(file, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ContractSchemas(SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12, builder -> builder.schemas(schemas)));
    }

    /** docs/openapi.yaml, read as a tree. */
    public static JsonNode openApi() {
        try {
            return new YAMLMapper().readTree(Files.readString(folder().resolveSibling("openapi.yaml"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What is wrong with {@code document} by the schema at {@code pointer} in docs/openapi.yaml ({@code /components/schemas/Page}). */
    public List<String> openApiViolations(String pointer, JsonNode document) {
        return registry.getSchema(SchemaLocation.of(OPEN_API + "#" + pointer)).validate(document).stream().map(Error::toString).toList();
    }

    /** The folder of the published schemas and test vectors, {@code docs/schemas/} in the checkout. */
    public static Path folder() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("docs/schemas"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the checkout's root, with docs/schemas").isNotNull();
        return dir.resolve("docs/schemas");
    }

    /** What is wrong with {@code document} by the schema in {@code file} (such as page.schema.json): empty when valid. */
    public List<String> violations(String file, JsonNode document) {
        Schema schema = registry.getSchema(SchemaLocation.of(BASE + file));
        return schema.validate(document).stream().map(Error::toString).toList();
    }
}
