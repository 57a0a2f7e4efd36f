package dev.sluice.api.trace;

import io.micrometer.observation.Observation;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
import java.util.Optional;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/** The trace of an HTTP request: the span of the server's observation of it, kept in the exchange's attributes. */
public final class RequestTraces {

    private RequestTraces() {}

    public static Optional<TraceContext> of(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes()).map(RequestTraces::spanContext);
    }

    private static TraceContext spanContext(Observation.Context observed) {
        TracingObservationHandler.TracingContext tracing = observed.get(TracingObservationHandler.TracingContext.class);
        return tracing == null || tracing.getSpan() == null ? null : tracing.getSpan().context();
    }
}
