package dev.sluice.api.problem;

import dev.sluice.api.trace.RequestTraces;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponse;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Every error the API answers is {@code application/problem+json} (RFC 9457): ours ({@link ProblemException}),
 * the framework's (unknown route, method not allowed), and the unexpected, which becomes a 500 with a generic
 * detail while the exception goes to the log (with the same trace id). Each names its request's {@code trace_id} (W3C)
 * and {@code request_id} (the server's log prefix), for looking it up. Runs before Boot's default handler.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    private final MeterRegistry meters;

    ProblemExceptionHandler(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        Map<String, Object> lookup = new LinkedHashMap<>();
        RequestTraces.of(exchange).ifPresent(trace -> lookup.put("trace_id", trace.traceId()));
        lookup.put("request_id", exchange.getRequest().getId());
        ProblemException problem = toProblem(error, exchange, lookup);
        meters.counter("sluice.api.rejections", "reason", problem.reason()).increment();
        return ProblemResponses.write(exchange.getResponse(), problem, exchange.getRequest().getPath().value(), lookup);
    }

    private static ProblemException toProblem(Throwable error, ServerWebExchange exchange, Map<String, Object> lookup) {
        if (error instanceof ProblemException problem) {
            return problem;
        }
        if (error instanceof DataBufferLimitException) {
            return ProblemException.of(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", "Request too large", error.getMessage());
        }
        if (error instanceof InvalidMediaTypeException invalid) { // a Content-Type or Accept that does not parse
            return ProblemException.of(HttpStatus.BAD_REQUEST, "invalid-media-type", "Invalid media type",
                    "'" + abbreviate(invalid.getMediaType()) + "' is not a media type such as application/json.");
        }
        if (error instanceof ErrorResponse framework) {
            HttpStatus status = HttpStatus.resolve(framework.getStatusCode().value());
            ProblemDetail body = framework.getBody();
            String detail = status == HttpStatus.NOT_FOUND // not the framework's "No static resource ...": nothing is served here
                    ? "Nothing is served at " + abbreviate(exchange.getRequest().getPath().value()) + "; the API's routes are under /v1/."
                    : body.getDetail() != null ? body.getDetail() : status != null ? status.getReasonPhrase() : "error";
            ProblemException problem = ProblemException.http(status != null ? status : HttpStatus.INTERNAL_SERVER_ERROR, detail);
            framework.getHeaders().forEach((name, values) -> values.forEach(value -> problem.header(name, value)));
            return problem;
        }
        // The reactive chain has no MDC here: the ids the client was given go into the message.
        log.error("Unexpected error answering {} {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), lookup, error);
        return ProblemException.http(HttpStatus.INTERNAL_SERVER_ERROR, "An unexpected error occurred; it has been logged.");
    }

    private static String abbreviate(String text) {
        return text.length() > 100 ? text.substring(0, 100) + "…" : text;
    }
}
