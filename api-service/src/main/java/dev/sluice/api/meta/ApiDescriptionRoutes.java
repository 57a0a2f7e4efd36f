package dev.sluice.api.meta;

import static org.springframework.web.reactive.function.server.RequestPredicates.GET;

import dev.sluice.api.problem.ProblemException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The API's description, served by the API: {@code /v1/openapi.yaml} (docs/openapi.yaml, OpenAPI 3.1) and the JSON
 * Schemas it refers to, {@code /v1/schemas/<name>}. The files are copied into the jar at build time and read once.
 */
@Configuration(proxyBeanMethods = false)
class ApiDescriptionRoutes {

    static final MediaType YAML = MediaType.parseMediaType("application/yaml");
    static final MediaType JSON_SCHEMA = MediaType.parseMediaType("application/schema+json");
    static final Set<String> SCHEMAS = Set.of("page.schema.json", "pages-envelope.schema.json", "cdc-page-event.schema.json");

    @Bean
    RouterFunction<ServerResponse> apiDescription() {
        byte[] openApi = read("public-api/openapi.yaml");
        Map<String, byte[]> schemas = SCHEMAS.stream().collect(Collectors.toMap(name -> name, name -> read("public-api/schemas/" + name)));
        return RouterFunctions.route()
                .route(GET("/v1/openapi.yaml"), request -> ServerResponse.ok().contentType(YAML).bodyValue(openApi))
                .route(GET("/v1/schemas/{name}"), request -> {
                    byte[] schema = schemas.get(request.pathVariable("name"));
                    return schema == null
                            ? Mono.error(ProblemException.of(HttpStatus.NOT_FOUND, "schema-not-found", "No such schema",
                                    "There is no schema '" + request.pathVariable("name") + "'; there are " + String.join(", ", new TreeSet<>(SCHEMAS)) + "."))
                            : ServerResponse.ok().contentType(JSON_SCHEMA).bodyValue(schema);
                })
                .build();
    }

    private static byte[] read(String resource) {
        try (InputStream in = ApiDescriptionRoutes.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the API's description is not in the jar: " + resource + " (built from docs/)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
