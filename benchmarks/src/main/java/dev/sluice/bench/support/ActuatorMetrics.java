package dev.sluice.bench.support;

import dev.sluice.core.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A service's meters one at a time, from {@code /actuator/metrics/{name}} (summed over their tags): for progress read
 * every second, where a Prometheus scrape renders every meter of the process (with Kafka's clients, hundreds; 14 % of
 * the invalidator's CPU in a profile of {@code bench invalidation}). The endpoint is exposed by
 * {@link #EXPOSE} in the service's environment.
 */
public final class ActuatorMetrics {

    /** The environment that exposes the endpoint beside the usual ones. */
    public static final Map<String, String> EXPOSE = Map.of("MANAGEMENT_ENDPOINTS_WEB_EXPOSURE_INCLUDE", "health,info,prometheus,metrics");

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int port;

    public ActuatorMetrics(int port) {
        this.port = port;
    }

    /** The meter's first measurement (a counter's count, a gauge's value), or NaN if it does not exist yet. */
    public double value(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/metrics/" + name)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 404) {
            return Double.NaN;
        }
        if (response.statusCode() != 200) {
            throw new IOException("/actuator/metrics/" + name + " answered " + response.statusCode() + ": " + response.body());
        }
        JsonNode measurements = Json.mapper().readTree(response.body()).path("measurements");
        return measurements.isEmpty() ? Double.NaN : measurements.get(0).path("value").asDouble();
    }

    /** Like {@link #value}, 0 for a meter that does not exist yet (a counter nothing has counted). */
    public double count(String name) throws IOException, InterruptedException {
        double value = value(name);
        return Double.isNaN(value) ? 0 : value;
    }
}
