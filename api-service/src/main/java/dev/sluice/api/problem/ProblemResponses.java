package dev.sluice.api.problem;

import dev.sluice.core.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import reactor.core.publisher.Mono;

/** Writes a {@link ProblemException} as {@code application/problem+json}. */
public final class ProblemResponses {

    private ProblemResponses() {}

    /** @param lookup members naming the request for support (trace and request ids), after the problem's own */
    public static Mono<Void> write(ServerHttpResponse response, ProblemException problem, String instance, Map<String, Object> lookup) {
        byte[] bytes = json(problem, instance, lookup);

        response.setStatusCode(problem.status());
        HttpHeaders headers = response.getHeaders();
        headers.addAll(problem.headers());
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        headers.setContentLength(bytes.length);
        DataBuffer buffer = response.bufferFactory().wrap(bytes);
        return response.writeWith(Mono.just(buffer));
    }

    /** The problem document; {@code instance} is left out when null. */
    public static byte[] json(ProblemException problem, String instance) {
        return json(problem, instance, Map.of());
    }

    static byte[] json(ProblemException problem, String instance, Map<String, Object> lookup) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type().toString());
        body.put("title", problem.title());
        body.put("status", problem.status().value());
        body.put("detail", problem.detail());
        if (instance != null) {
            body.put("instance", instance);
        }
        body.putAll(problem.extensions());
        lookup.forEach(body::putIfAbsent);
        return Json.mapper().writeValueAsBytes(body);
    }
}
